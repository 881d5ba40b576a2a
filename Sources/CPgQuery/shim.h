#ifndef TENANTWALL_CPGQUERY_SHIM_H
#define TENANTWALL_CPGQUERY_SHIM_H
/* PostgreSQL's own parser as a library: libpg_query with the PostgreSQL 18 grammar, built by scripts/setup.sh
   (pkg-config: tenantwall-pg-query). Its header comes first on the include path, ahead of any older copy. */
#include <pg_query.h>

/* The PostgreSQL version whose grammar the parser has (PG_VERSION is a string macro). */
static const char *const TW_PG_QUERY_GRAMMAR_VERSION = PG_VERSION;
#endif
