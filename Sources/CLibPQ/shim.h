#ifndef TENANTWALL_CLIBPQ_SHIM_H
#define TENANTWALL_CLIBPQ_SHIM_H
#include <libpq-fe.h>

/* The PG_DIAG_* field codes are macros over character literals, which Swift does not import. */
static const int TW_PG_DIAG_SEVERITY = 'V';
static const int TW_PG_DIAG_SQLSTATE = 'C';
static const int TW_PG_DIAG_MESSAGE_PRIMARY = 'M';
static const int TW_PG_DIAG_MESSAGE_DETAIL = 'D';
static const int TW_PG_DIAG_MESSAGE_HINT = 'H';
static const int TW_PG_DIAG_STATEMENT_POSITION = 'P';
static const int TW_PG_DIAG_INTERNAL_POSITION = 'p';
static const int TW_PG_DIAG_INTERNAL_QUERY = 'q';
static const int TW_PG_DIAG_CONTEXT = 'W';

/* Keeps NOTICEs off stderr: the Swift side collects them instead. */
static inline void tw_notice_discard(void *arg, const char *message) { (void)arg; (void)message; }
static inline void tw_silence_notices(PGconn *conn) { PQsetNoticeProcessor(conn, tw_notice_discard, 0); }
#endif
