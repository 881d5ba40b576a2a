"""Binds each transaction to its tenant with psycopg 3.

The one right pattern: open a transaction, bind the tenant in it with the spec's setter, run the queries,
commit. psycopg sends the setter and the first query in one pipeline (libpq 14+): one round trip instead of
two, which is most of what binding a tenant costs (docs/bench.md).

Connection settings follow libpq: DATABASE_URL, else PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
The scenario the test suite runs through PgBouncer (docs/clients.md) is read from TW_* variables.
Debian: apt-get install python3-psycopg.
"""
import json
import os
from contextlib import contextmanager

import psycopg


# tenantwall:begin bind
@contextmanager
def in_tenant(conn, setter, tenant, first, params=()):
    """A transaction bound to `tenant`; yields a cursor on which `first` has run.

    The setter (`SELECT tenantwall.set_tenant_context(%s)`, or the signed binding's
    `SELECT <schema>.set_tenant_context(%s)` with a token) and the first query go in one pipeline. The
    binding lasts as long as the transaction: `conn.transaction()` commits on leaving, rolls back on error.
    """
    with conn.transaction():
        with conn.pipeline():
            conn.execute(setter, (tenant,))
            cur = conn.execute(first, params)
        yield cur
# tenantwall:end bind


# tenantwall:begin admin
@contextmanager
def as_admin(conn, reason):
    """Admin mode for one transaction: only a member of the spec's admin role may enable it, and the reason
    is written to the admin mode log with who and when."""
    with conn.transaction():
        conn.execute("SELECT tenantwall.enable_admin_mode(%s)", (reason,))
        yield conn
# tenantwall:end admin


# tenantwall:begin citus
def routed(conn, setter, binding, tenant, query):
    """The Citus pattern: the tenant bound by the setter and passed in the query as well, so that the
    coordinator routes the statement to the one shard that holds the tenant (a policy's qual does not prune:
    without `tenant_id = %s` it fans out to every shard). The parameter only routes: the policy still holds,
    and a parameter naming another tenant reads nothing."""
    with in_tenant(conn, setter, binding, query, (tenant,)) as cur:
        return [row[0] for row in cur.fetchall()]
# tenantwall:end citus


def list_query(list_sql):
    """The backend and the tenant column of every row TW_LIST returns, as one query."""
    return ("SELECT pg_backend_pid(), coalesce(array_agg(t ORDER BY n), '{}')::text[] FROM "
            "(SELECT t, row_number() OVER () AS n FROM (" + list_sql + ") AS l(t)) AS r")


def listed(cur):
    backend, tenants = cur.fetchone()
    return {"backend": backend, "tenants": tenants}


def report(step, run):
    """Prints one step's outcome as a JSON line; a server error becomes its SQLSTATE."""
    try:
        result = run() or {}
    except psycopg.Error as error:
        result = {"error": error.sqlstate or str(error)}
    print(json.dumps({"step": step, **result}), flush=True)


# tenantwall:begin connect
def connect(user=None):
    """A connection for a transaction-mode pooler: psycopg prepares a query on the server after its fifth
    run (`prepare_threshold`), and PgBouncer (before 1.21) may run the next transaction on a server
    connection that never saw it. `prepare_threshold=None` never prepares."""
    kwargs = {"user": user} if user else {}
    return psycopg.connect(os.environ.get("DATABASE_URL", ""), prepare_threshold=None, **kwargs)
# tenantwall:end connect


def main():
    env = os.environ.get
    binding = env("TW_BINDING") or "context"
    setter = (env("TW_SETTER") or "SELECT tenantwall.set_tenant_context($1)").replace("$1", "%s")
    query = list_query(env("TW_LIST") or "SELECT tenant_id::text FROM workflows ORDER BY id")
    insert = (env("TW_INSERT") or
              "INSERT INTO workflows (tenant_id, name, definition) VALUES ($1, 'from psycopg', '{}')").replace("$1", "%s")
    own = env("TW_TENANT")
    bind_own, bind_other = ((env("TW_TOKEN"), env("TW_OTHER_TOKEN")) if binding == "signed"
                            else (own, env("TW_OTHER_TENANT")))
    # Two client connections: through a transaction-mode pooler they may share one server connection.
    a, b = connect(), connect(env("TW_OTHER_USER"))
    a.autocommit = b.autocommit = True  # transactions only where the code opens one

    def bound(conn, tenant):
        with in_tenant(conn, setter, tenant, query) as cur:
            return listed(cur)

    def cross_write():
        with in_tenant(b, setter, bind_other, insert, (own,)):
            return {}

    if binding == "role":  # the login role is the tenant: nothing to set
        report("own", lambda: listed(a.execute(query)))
        report("other", lambda: listed(b.execute(query)))
        report("cross-write", lambda: b.execute(insert, (own,)) and {})
    else:
        report("unbound", lambda: listed(b.execute(query)))
        report("own", lambda: bound(a, bind_own))
        report("next-client", lambda: listed(b.execute(query)))
        report("other", lambda: bound(b, bind_other))
        report("cross-write", cross_write)
        by_tenant = (env("TW_ROUTED") or "SELECT tenant_id::text FROM workflows WHERE tenant_id = $1 ORDER BY id").replace("$1", "%s")
        report("routed", lambda: {"tenants": routed(a, setter, bind_own, own, by_tenant)})
        report("routed-other", lambda: {"tenants": routed(a, setter, bind_own, env("TW_OTHER_TENANT"), by_tenant)})
    if env("TW_ADMIN_USER"):
        with connect(env("TW_ADMIN_USER")) as admin:
            admin.autocommit = True

            def admin_list():
                with as_admin(admin, "support ticket 4711: a tenant's workflows") as conn:
                    return listed(conn.execute(query))
            report("admin", admin_list)
    a.close()
    b.close()


if __name__ == "__main__":
    main()
