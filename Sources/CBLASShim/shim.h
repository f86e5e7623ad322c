// C shim: OpenBLAS CBLAS (including openblas_set_num_threads) and LAPACKE.
#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
