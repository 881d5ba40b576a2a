// Command go-pgx binds each transaction to its tenant with pgx v4.
//
// The one right pattern: open a transaction, bind the tenant in it with the spec's setter, run the queries,
// commit. pgx sends the setter and the first query as one batch: one round trip instead of two, which is
// most of what binding a tenant costs (docs/bench.md).
//
// Connection settings follow libpq: DATABASE_URL, else PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
// The scenario the test suite runs through PgBouncer (docs/clients.md) is read from TW_* variables.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/jackc/pgconn"
	"github.com/jackc/pgconn/stmtcache"
	"github.com/jackc/pgx/v4"
)

// tenantwall:begin bind
// inTenant runs fn in a transaction bound to tenant, the setter and fn's first query sent in one batch
// (one round trip). The setter is `SELECT tenantwall.set_tenant_context($1)` (context binding) or
// `SELECT <schema>.set_tenant_context($1)` with a token (signed binding); it lasts as long as the transaction.
func inTenant(ctx context.Context, conn *pgx.Conn, setter, tenant, first string, args []any,
	fn func(pgx.Tx, pgx.Rows) error) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) // a no-op after Commit
	batch := &pgx.Batch{}
	batch.Queue(setter, tenant)
	batch.Queue(first, args...)
	results := tx.SendBatch(ctx, batch)
	if _, err := results.Exec(); err != nil {
		results.Close()
		return err
	}
	rows, err := results.Query()
	if err == nil {
		err = fn(tx, rows)
		rows.Close()
	}
	if closeErr := results.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// tenantwall:end bind

// tenantwall:begin admin
// asAdmin runs fn in admin mode: only a member of the spec's admin role may enable it, the reason is
// written to the admin mode log with who and when, and the mode ends with the transaction.
func asAdmin(ctx context.Context, conn *pgx.Conn, reason string, fn func(pgx.Tx) error) error {
	return conn.BeginFunc(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT tenantwall.enable_admin_mode($1)", reason); err != nil {
			return err
		}
		return fn(tx)
	})
}

// tenantwall:end admin

// tenantwall:begin citus
// routed is the Citus pattern: the tenant bound by the setter and passed in the query as well, so that the
// coordinator routes the statement to the one shard that holds the tenant (a policy's qual does not prune:
// without `tenant_id = $1` it fans out to every shard). The parameter only routes: the policy still holds,
// and a parameter naming another tenant reads nothing.
func routed(ctx context.Context, conn *pgx.Conn, setter, binding, tenant, query string) (tenants []string, err error) {
	err = inTenant(ctx, conn, setter, binding, query, []any{tenant}, func(_ pgx.Tx, rows pgx.Rows) error {
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return err
			}
			tenants = append(tenants, t)
		}
		return rows.Err()
	})
	return tenants, err
}

// tenantwall:end citus

// listQuery returns the backend and the tenant column of each row TW_LIST returns, as one query.
func listQuery(list string) string {
	return "SELECT pg_backend_pid(), coalesce(array_agg(t ORDER BY n), '{}')::text[] FROM (SELECT t, row_number() OVER () AS n FROM (" + list + ") AS l(t)) AS r"
}

func scan(rows pgx.Rows) (map[string]any, error) {
	var backend int32
	var tenants []string
	if !rows.Next() {
		if rows.Err() != nil {
			return nil, rows.Err()
		}
		return nil, errors.New("no row")
	}
	if err := rows.Scan(&backend, &tenants); err != nil {
		return nil, err
	}
	rows.Close()
	return map[string]any{"backend": backend, "tenants": tenants}, rows.Err()
}

type querier interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}

func listed(ctx context.Context, q querier, list string) (map[string]any, error) {
	rows, err := q.Query(ctx, listQuery(list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scan(rows)
}

// report prints one step's outcome as a JSON line; a server error becomes its SQLSTATE.
func report(step string, result map[string]any, err error) {
	if result == nil {
		result = map[string]any{}
	}
	result["step"] = step
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		result["error"] = pgErr.Code
	} else if err != nil {
		result["error"] = err.Error()
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
}

// tenantwall:begin connect
// connect opens a connection for a transaction-mode pooler: pgx prepares and caches named statements
// per server connection by default, and PgBouncer (before 1.21) may run the next transaction on another
// server connection, where they do not exist. The describe mode uses only unnamed statements.
func connect(ctx context.Context, config *pgx.ConnConfig) (*pgx.Conn, error) {
	config.BuildStatementCache = func(conn *pgconn.PgConn) stmtcache.Cache {
		return stmtcache.New(conn, stmtcache.ModeDescribe, 512)
	}
	return pgx.ConnectConfig(ctx, config)
}

// tenantwall:end connect

func open(ctx context.Context, user string) *pgx.Conn {
	config, err := pgx.ParseConfig(os.Getenv("DATABASE_URL"))
	if err == nil {
		if user != "" {
			config.User = user
		}
		var conn *pgx.Conn
		if conn, err = connect(ctx, config); err == nil {
			return conn
		}
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(2)
	return nil
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func main() {
	ctx := context.Background()
	binding := env("TW_BINDING", "context")
	setter := env("TW_SETTER", "SELECT tenantwall.set_tenant_context($1)")
	list := env("TW_LIST", "SELECT tenant_id::text FROM workflows ORDER BY id")
	insert := env("TW_INSERT", "INSERT INTO workflows (tenant_id, name, definition) VALUES ($1, 'from go-pgx', '{}')")
	own, other := os.Getenv("TW_TENANT"), os.Getenv("TW_OTHER_TENANT")
	bindOwn, bindOther := own, other
	if binding == "signed" {
		bindOwn, bindOther = os.Getenv("TW_TOKEN"), os.Getenv("TW_OTHER_TOKEN")
	}
	// Two client connections: through a transaction-mode pooler they may share one server connection.
	a, b := open(ctx, ""), open(ctx, os.Getenv("TW_OTHER_USER"))
	defer a.Close(ctx)
	defer b.Close(ctx)
	var result map[string]any
	var err error
	bound := func(conn *pgx.Conn, tenant string) (map[string]any, error) {
		var result map[string]any
		err := inTenant(ctx, conn, setter, tenant, listQuery(list), nil, func(_ pgx.Tx, rows pgx.Rows) (err error) {
			result, err = scan(rows)
			return err
		})
		return result, err
	}

	if binding == "role" {
		result, err = listed(ctx, a, list) // the login role is the tenant: nothing to set
		report("own", result, err)
		result, err = listed(ctx, b, list)
		report("other", result, err)
		_, err = b.Exec(ctx, insert, own)
		report("cross-write", nil, err)
	} else {
		result, err = listed(ctx, b, list)
		report("unbound", result, err)
		result, err = bound(a, bindOwn)
		report("own", result, err)
		result, err = listed(ctx, b, list)
		report("next-client", result, err)
		result, err = bound(b, bindOther)
		report("other", result, err)
		err = inTenant(ctx, b, setter, bindOther, insert, []any{own}, func(pgx.Tx, pgx.Rows) error { return nil })
		report("cross-write", nil, err)
		byTenant := env("TW_ROUTED", "SELECT tenant_id::text FROM workflows WHERE tenant_id = $1 ORDER BY id")
		tenants, err := routed(ctx, a, setter, bindOwn, own, byTenant)
		report("routed", map[string]any{"tenants": append([]string{}, tenants...)}, err)
		tenants, err = routed(ctx, a, setter, bindOwn, other, byTenant)
		report("routed-other", map[string]any{"tenants": append([]string{}, tenants...)}, err)
	}
	if admin := os.Getenv("TW_ADMIN_USER"); admin != "" {
		conn := open(ctx, admin)
		defer conn.Close(ctx)
		err = asAdmin(ctx, conn, "support ticket 4711: a tenant's workflows", func(tx pgx.Tx) (err error) {
			result, err = listed(ctx, tx, list)
			return err
		})
		report("admin", result, err)
	}
}
