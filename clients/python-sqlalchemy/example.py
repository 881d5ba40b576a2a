"""Binds each transaction to its tenant with SQLAlchemy's session events.

The tenant travels with the Session (`Session(info={"tenant": ...})`) and an `after_begin` listener binds
it in every transaction the session opens, before the first statement: no query can run unbound, and the
binding ends with the transaction (commit or rollback), so the pooled connection carries nothing to its
next user. SQLAlchemy 1.4 (Debian) drives psycopg2, which cannot pipeline: the setter is its own round trip.

Connection settings follow libpq: DATABASE_URL, else PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
The scenario the test suite runs through PgBouncer (docs/clients.md) is read from TW_* variables.
Debian: apt-get install python3-sqlalchemy python3-psycopg2.
"""
import json
import os

import psycopg2
import sqlalchemy.exc
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

SETTER = text((os.environ.get("TW_SETTER") or "SELECT tenantwall.set_tenant_context($1)").replace("$1", ":tenant"))


# tenantwall:begin bind
@event.listens_for(Session, "after_begin")
def bind_tenant(session, transaction, connection):
    """Binds the session's tenant in each transaction it begins. SETTER is
    `SELECT tenantwall.set_tenant_context(:tenant)` (context binding) or `SELECT <schema>.set_tenant_context(:tenant)`
    with a token in `info["tenant"]` (signed binding). A session without a tenant binds nothing: it reads
    no rows (or fails with TW001 under `missing_context: error`)."""
    tenant = session.info.get("tenant")
    if tenant is not None:
        connection.execute(SETTER, {"tenant": tenant})


def in_tenant(engine, tenant):
    """A session bound to `tenant`: `with in_tenant(engine, t) as s, s.begin(): ...` commits at the end."""
    return Session(engine, info={"tenant": tenant})
# tenantwall:end bind


# tenantwall:begin admin
def as_admin(session, reason):
    """Admin mode for the session's current transaction: only a member of the spec's admin role may enable
    it, and the reason is written to the admin mode log with who and when."""
    session.execute(text("SELECT tenantwall.enable_admin_mode(:reason)"), {"reason": reason})
# tenantwall:end admin


def listed(session, list_sql):
    backend = session.execute(text("SELECT pg_backend_pid()")).scalar()
    return {"backend": backend, "tenants": [str(row[0]) for row in session.execute(text(list_sql))]}


def report(step, run):
    """Prints one step's outcome as a JSON line; a server error becomes its SQLSTATE."""
    try:
        result = run() or {}
    except sqlalchemy.exc.DBAPIError as error:
        result = {"error": getattr(error.orig, "pgcode", None) or str(error)}
    print(json.dumps({"step": step, **result}), flush=True)


def engine(user=None):
    """One client connection per engine: the two engines below are two clients of the pooler."""
    args = {"user": user} if user else {}
    return create_engine("postgresql+psycopg2://", pool_size=1, max_overflow=0,
                         creator=lambda: psycopg2.connect(os.environ.get("DATABASE_URL", ""), **args))


def main():
    env = os.environ.get
    binding = env("TW_BINDING") or "context"
    list_sql = env("TW_LIST") or "SELECT tenant_id::text FROM workflows ORDER BY id"
    insert = text((env("TW_INSERT") or
                   "INSERT INTO workflows (tenant_id, name, definition) VALUES ($1, 'from sqlalchemy', '{}')").replace("$1", ":t"))
    own = env("TW_TENANT")
    bind_own, bind_other = ((env("TW_TOKEN"), env("TW_OTHER_TOKEN")) if binding == "signed"
                            else (own, env("TW_OTHER_TENANT")))
    a, b = engine(), engine(env("TW_OTHER_USER"))

    def run(engine, tenant, work):
        with in_tenant(engine, tenant) as session, session.begin():
            return work(session)

    def cross_write(session):
        session.execute(insert, {"t": own})
        return {}

    if binding == "role":  # the login role is the tenant: nothing to set
        report("own", lambda: run(a, None, lambda s: listed(s, list_sql)))
        report("other", lambda: run(b, None, lambda s: listed(s, list_sql)))
        report("cross-write", lambda: run(b, None, cross_write))
    else:
        report("unbound", lambda: run(b, None, lambda s: listed(s, list_sql)))
        report("own", lambda: run(a, bind_own, lambda s: listed(s, list_sql)))
        report("next-client", lambda: run(b, None, lambda s: listed(s, list_sql)))
        report("other", lambda: run(b, bind_other, lambda s: listed(s, list_sql)))
        report("cross-write", lambda: run(b, bind_other, cross_write))
    if env("TW_ADMIN_USER"):
        def admin_list(session):
            as_admin(session, "support ticket 4711: a tenant's workflows")
            return listed(session, list_sql)
        report("admin", lambda: run(engine(env("TW_ADMIN_USER")), None, admin_list))


if __name__ == "__main__":
    main()
