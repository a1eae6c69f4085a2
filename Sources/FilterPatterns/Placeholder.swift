// placeholder: the filter-pattern language lands here
