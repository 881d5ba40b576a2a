// Binds each transaction to its tenant with node-postgres (`pg`).
//
// The one right pattern: take a client from the pool, open a transaction, bind the tenant in it with the
// spec's setter, run the queries, commit, release the client. node-postgres sends one query at a time (no
// pipelining), so the setter is its own round trip inside the transaction.
//
// Connection settings follow libpq: DATABASE_URL, else PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD.
// The scenario the test suite runs through PgBouncer (docs/clients.md) is read from TW_* variables.
// Debian: apt-get install node-pg; run with NODE_PATH=/usr/share/nodejs (scripts/setup.sh).
'use strict';
const { Pool } = require('pg');
const { parse } = require('pg-connection-string');

// tenantwall:begin bind
// Runs fn(client) in a transaction bound to tenant. The setter is `SELECT tenantwall.set_tenant_context($1)`
// (context binding) or `SELECT <schema>.set_tenant_context($1)` with a token (signed binding); it lasts as
// long as the transaction, so the pooled connection carries nothing to its next user.
async function inTenant(pool, setter, tenant, fn) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(setter, [tenant]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
// tenantwall:end bind

// tenantwall:begin admin
// Runs fn(client) in admin mode: only a member of the spec's admin role may enable it, the reason is
// written to the admin mode log with who and when, and the mode ends with the transaction.
async function asAdmin(pool, reason, fn) {
  return inTenant(pool, 'SELECT tenantwall.enable_admin_mode($1)', reason, fn);
}
// tenantwall:end admin

const env = (name, fallback) => process.env[name] || fallback;

// The backend the query ran on and the tenant column of every row TW_LIST returns.
async function listed(client, list) {
  const backend = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const rows = (await client.query({ text: list, rowMode: 'array' })).rows;
  return { backend, tenants: rows.map((row) => String(row[0])) };
}

// Prints one step's outcome as a JSON line; a server error becomes its SQLSTATE.
async function report(step, run) {
  let result;
  try {
    result = { ...(await run()) };
  } catch (error) {
    result = { error: error.code || String(error) };
  }
  console.log(JSON.stringify({ step, ...result }));
}

function pool(user) {
  // One client connection per pool: the two pools below are two clients of the pooler.
  // A connection string's own user would win over `user`: parse it, then override.
  const config = { ...(process.env.DATABASE_URL ? parse(process.env.DATABASE_URL) : {}), max: 1 };
  if (user) config.user = user;
  return new Pool(config);
}

async function main() {
  const binding = env('TW_BINDING', 'context');
  const setter = env('TW_SETTER', 'SELECT tenantwall.set_tenant_context($1)');
  const list = env('TW_LIST', 'SELECT tenant_id::text FROM workflows ORDER BY id');
  const insert = env('TW_INSERT', "INSERT INTO workflows (tenant_id, name, definition) VALUES ($1, 'from node-pg', '{}')");
  const own = process.env.TW_TENANT;
  const [bindOwn, bindOther] = binding === 'signed'
    ? [process.env.TW_TOKEN, process.env.TW_OTHER_TOKEN] : [own, process.env.TW_OTHER_TENANT];
  const a = pool(), b = pool(process.env.TW_OTHER_USER);
  if (binding === 'role') {
    // The login role is the tenant: nothing to set.
    await report('own', () => withClient(a, (c) => listed(c, list)));
    await report('other', () => withClient(b, (c) => listed(c, list)));
    await report('cross-write', () => b.query(insert, [own]).then(() => ({})));
  } else {
    await report('unbound', () => withClient(b, (c) => listed(c, list)));
    await report('own', () => inTenant(a, setter, bindOwn, (c) => listed(c, list)));
    await report('next-client', () => withClient(b, (c) => listed(c, list)));
    await report('other', () => inTenant(b, setter, bindOther, (c) => listed(c, list)));
    await report('cross-write', () => inTenant(b, setter, bindOther, (c) => c.query(insert, [own]).then(() => ({}))));
  }
  if (process.env.TW_ADMIN_USER) {
    const admin = pool(process.env.TW_ADMIN_USER);
    await report('admin', () => asAdmin(admin, "support ticket 4711: a tenant's workflows", (c) => listed(c, list)));
    await admin.end();
  }
  await Promise.all([a.end(), b.end()]);
}

async function withClient(pool, fn) {
  const client = await pool.connect();
  try { return await fn(client); } finally { client.release(); }
}

main().catch((error) => { console.error(error); process.exit(2); });
