// placeholder: digest verification lands here
