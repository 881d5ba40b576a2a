#ifndef TENANTWALL_CPGQUERY_SHIM_H
#define TENANTWALL_CPGQUERY_SHIM_H
/* PostgreSQL's own parser as a library (apt: libpg-query-dev). */
#include <pg_query.h>
#endif
