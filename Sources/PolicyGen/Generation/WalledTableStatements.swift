import Quoting
/// The Tables section for a walled hypertable (`Table.isWalled`): its rows live in the walled schema
/// (`storage`), with no RLS and no policy, and its own name becomes a view (`WallStatements`).
///
/// An existing RLS table at the name moves there first, catalog only: `ALTER TABLE … SET SCHEMA` keeps the
/// same relation, its chunks, indexes, constraints and every row (TimescaleDB 2.28.3 follows it in its own
/// catalog). Before it moves, its policies go, RLS goes (TimescaleDB refuses compression and continuous
/// aggregates with it), and so does every access role's privilege on it and its chunks: once walled, only the
/// view may reach it. RLS is taken off before compression is set, so on a compressed hypertable (where
/// TimescaleDB refuses any RLS change) the guarded statement does nothing.
struct WalledTableStatements {
    let spec: Spec
    let table: Table

    var key: ObjectKey { .table(table.qualifiedName) }
    var storage: (schema: String, name: String) { table.storage(tenancy: spec.tenancy) }
    var storageName: String { SQL.qualified(storage.schema, storage.name) }
    var access: String { SQL.identList(uniqued(spec.roles.accessRoles)) }

    func statements() -> [Statement] {
        var stored = table
        stored.schema = storage.schema
        let create = TableStatements(spec: spec, table: stored).statements().map { statement -> Statement in
            var statement = statement
            statement.object = key
            return statement
        }
        return [moveIn()] + create + [noRowSecurity()]
    }

    /// RLS table at the name, no storage yet: the table moves to the walled schema, keeping every row.
    func moveIn() -> Statement {
        let name = SQL.qualified(table.schema, table.name)
        return Statement(key, "DO " + SQL.dollarQuoted("""

            DECLARE
                rel regclass := pg_catalog.to_regclass(\(SQL.literal(name)));
                part regclass;
                stale name;
            BEGIN
                IF rel IS NULL OR pg_catalog.to_regclass(\(SQL.literal(storageName))) IS NOT NULL
                   OR (SELECT c.relkind FROM pg_catalog.pg_class AS c WHERE c.oid = rel) NOT IN ('r', 'p') THEN
                    RETURN;
                END IF;
                FOR stale IN SELECT polname FROM pg_catalog.pg_policy WHERE polrelid = rel LOOP
                    EXECUTE pg_catalog.format('DROP POLICY %I ON %s', stale, rel);
                END LOOP;
                ALTER TABLE \(name) NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
                REVOKE ALL ON TABLE \(name) FROM PUBLIC, \(access);
                FOR part IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits AS i WHERE i.inhparent = rel LOOP
                    EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', part);
                    PERFORM \(SQL.qualified(spec.tenancy.helperSchema, "revoke_direct_grants"))(part);
                END LOOP;
                ALTER TABLE \(name) SET SCHEMA \(SQL.ident(storage.schema));
            END

            """), comment: "\(table.qualifiedName) moves to the walled form when it is a table here: its policies, RLS and every access role's privilege on it and its chunks go, then it moves to \(storage.schema) (catalog only: the same relation, every row kept). Its name becomes the wall view below.")
    }

    /// No RLS and no policy on the storage: TimescaleDB refuses compression and continuous aggregates with it.
    func noRowSecurity() -> Statement {
        Statement(key, "DO " + SQL.dollarQuoted("""

            DECLARE
                stale name;
            BEGIN
                FOR stale IN SELECT polname FROM pg_catalog.pg_policy WHERE polrelid = \(SQL.literal(storageName))::regclass LOOP
                    EXECUTE pg_catalog.format('DROP POLICY %I ON %s', stale, \(SQL.literal(storageName))::regclass);
                END LOOP;
                IF (SELECT c.relrowsecurity OR c.relforcerowsecurity FROM pg_catalog.pg_class AS c WHERE c.oid = \(SQL.literal(storageName))::regclass) THEN
                    ALTER TABLE \(storageName) NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
                END IF;
            END

            """), comment: "No RLS or policy on the storage (TimescaleDB refuses compression and continuous aggregates with RLS): the wall is the view, and only the owner may name the storage. Guarded: RLS cannot change once compression is on.")
    }

    /// Grants: nothing on the storage for PUBLIC or any access role (its chunks, compressed chunks and
    /// aggregates copy its ACL, which then holds the owner only). The view's grants come with the wall.
    func grants() -> [Statement] {
        [Statement(.grants(table.qualifiedName), "REVOKE ALL ON TABLE \(storageName) FROM PUBLIC, \(access)",
                   comment: "The storage of \(table.qualifiedName): the owner's alone; the access roles go through the wall view.")]
    }
}
