#ifndef TENANTWALL_CZ3_SHIM_H
#define TENANTWALL_CZ3_SHIM_H
/* Z3's C API (Debian: libz3-dev), the solver behind `tenantwall review` and `prove`. */
#include <z3.h>
#endif
