// Command go-libpq binds each transaction to its tenant with database/sql and lib/pq.
//
// The one right pattern: open a transaction, bind the tenant in it with the spec's setter (it lasts only as
// long as the transaction, so a pooler may hand the connection to anyone after the commit), run the queries,
// commit. lib/pq cannot pipeline, so the setter is its own round trip inside the transaction.
//
// Connection settings follow libpq: DATABASE_URL, else PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
// The scenario the test suite runs through PgBouncer (docs/clients.md) is read from TW_* variables.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/lib/pq"
)

// tenantwall:begin bind
// inTenant runs fn in a transaction bound to tenant: the setter (`SELECT tenantwall.set_tenant_context($1)`,
// or the signed binding's `SELECT <schema>.set_tenant_context($1)` with a token) runs first, in the same
// transaction as every query fn sends. Never call the setter outside a transaction: in autocommit it binds
// a transaction that has already ended.
func inTenant(ctx context.Context, db *sql.DB, setter, tenant string, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // a no-op after Commit
	if _, err := tx.ExecContext(ctx, setter, tenant); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// tenantwall:end bind

// tenantwall:begin admin
// asAdmin runs fn in admin mode: only a member of the spec's admin role may enable it, the reason is
// written to the admin mode log with who and when, and the mode ends with the transaction.
func asAdmin(ctx context.Context, db *sql.DB, reason string, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SELECT tenantwall.enable_admin_mode($1)", reason); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// tenantwall:end admin

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}

// listed reads the tenant column of every row TW_LIST returns, and the backend the query ran on.
func listed(ctx context.Context, q queryer, list string) (map[string]any, error) {
	var backend int
	if err := q.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tenants := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		tenants = append(tenants, t)
	}
	return map[string]any{"backend": backend, "tenants": tenants}, rows.Err()
}

// report prints one step's outcome as a JSON line; a server error becomes its SQLSTATE.
func report(step string, result map[string]any, err error) {
	if result == nil {
		result = map[string]any{}
	}
	result["step"] = step
	if pqErr, ok := err.(*pq.Error); ok {
		result["error"] = string(pqErr.Code)
	} else if err != nil {
		result["error"] = err.Error()
	}
	line, _ := json.Marshal(result)
	fmt.Println(string(line))
}

func open(user string) *sql.DB {
	dsn := os.Getenv("DATABASE_URL")
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		var err error
		if dsn, err = pq.ParseURL(dsn); err != nil { // key=value, so that a user can be added below
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	if user != "" {
		dsn += " user=" + user
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	db.SetMaxOpenConns(1) // one client connection each: the two clients below are two pooler clients
	return db
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
	insert := env("TW_INSERT", "INSERT INTO workflows (tenant_id, name, definition) VALUES ($1, 'from go-libpq', '{}')")
	own, other := os.Getenv("TW_TENANT"), os.Getenv("TW_OTHER_TENANT")
	bindOwn, bindOther := own, other
	if binding == "signed" {
		bindOwn, bindOther = os.Getenv("TW_TOKEN"), os.Getenv("TW_OTHER_TOKEN")
	}
	a, b := open(""), open(os.Getenv("TW_OTHER_USER")) // role binding: b logs in as the other tenant
	defer a.Close()
	defer b.Close()

	if binding != "role" {
		result, err := listed(ctx, b, list)
		report("unbound", result, err)
	}
	var result map[string]any
	var err error
	if binding == "role" {
		result, err = listed(ctx, a, list) // the login role is the tenant: nothing to set
	} else {
		err = inTenant(ctx, a, setter, bindOwn, func(tx *sql.Tx) (err error) {
			result, err = listed(ctx, tx, list)
			return err
		})
	}
	report("own", result, err)
	if binding == "role" {
		result, err = listed(ctx, b, list)
		report("other", result, err)
		_, err = b.ExecContext(ctx, insert, own)
		report("cross-write", nil, err)
	} else {
		result, err = listed(ctx, b, list)
		report("next-client", result, err)
		err = inTenant(ctx, b, setter, bindOther, func(tx *sql.Tx) (err error) {
			result, err = listed(ctx, tx, list)
			return err
		})
		report("other", result, err)
		err = inTenant(ctx, b, setter, bindOther, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, insert, own)
			return err
		})
		report("cross-write", nil, err)
	}
	if admin := os.Getenv("TW_ADMIN_USER"); admin != "" {
		db := open(admin)
		defer db.Close()
		err = asAdmin(ctx, db, "support ticket 4711: a tenant's workflows", func(tx *sql.Tx) (err error) {
			result, err = listed(ctx, tx, list)
			return err
		})
		report("admin", result, err)
	}
}
