// Swift cannot import C `_Complex`: make LAPACKE use plain structs for complex types.
#define LAPACK_COMPLEX_STRUCTURE 1
#include <lapacke.h>
#include <cblas.h>
// lapack_int is a #define, which Swift does not import: give it a typedef.
typedef lapack_int clapack_int;
