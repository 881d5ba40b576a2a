/// The objects a `DatabaseCatalog` holds, one value type each.
extension DatabaseCatalog {
    public struct Table: Sendable {
        public var oid: String
        public var schema: String
        public var name: String
        /// `r` table, `p` partitioned, `v` view, `m` materialized view, `f` foreign table.
        public var kind: String
        public var rls: Bool
        public var forced: Bool
        public var owner: String
        /// The parent (a partitioned table or inheritance parent), qualified.
        public var parent: String?
        public var columns: [String]
        /// Table-level privileges, `grantee:PRIVILEGE`, with `PUBLIC` for grants to everyone.
        public var grants: [String]
        public var options: [String]
        /// Roles (and `PUBLIC`) with USAGE on the table's schema: only they can name the table at all.
        public var schemaUsers: [String] = []
        /// Column-level privileges (on at least one column), as `grants`. TimescaleDB does not copy these to chunks.
        public var columnGrants: [String] = []
        /// Every parent (a partitioned table, inheritance parents in their order), qualified; `parent` is the first.
        public var parents: [String] = []
        /// A partition (not a plain inheritance child).
        public var isPartition = false
        /// The ACL as PostgreSQL prints it (`{role=arwd/grantor,…}`, grantors and grant options included), nil
        /// when never granted: plan compares it verbatim.
        public var acl: String? = nil
        /// The schema as the server quotes it (`regnamespace`).
        public var quotedSchema: String = ""
        /// The columns in order, with their types as `format_type` prints them.
        public var attributes: [Column] = []
        /// Column-level privileges by grantee, `grantee:PRIVILEGE` with the columns, in the server's order.
        public var columnPrivileges: [ColumnPrivilege] = []
        /// A view's or materialized view's query as `pg_get_viewdef` prints it.
        public var definition: String? = nil
        /// A materialized view holds data (false until its first refresh when created `WITH NO DATA`).
        public var populated = true
        public var comment: String? = nil
        /// Columns the database fills itself: identity columns and those defaulted from a sequence (`nextval`).
        /// Nobody picks their values, so nobody can guess another tenant's into a unique-key collision.
        public var generatedColumns: [String] = []
        public var qualified: String { schema + "." + name }
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var type: String
        public var notNull: Bool
    }

    public struct ColumnPrivilege: Sendable, Equatable {
        /// `grantee:PRIVILEGE`, `PUBLIC` for everyone.
        public var grantee: String
        public var columns: [String]
    }

    public struct Schema: Sendable {
        public var name: String
        public var owner: String
        /// As PostgreSQL prints it, nil when never granted.
        public var acl: String?
    }

    public struct EventTrigger: Sendable {
        public var name: String
        /// `O` origin (enabled), `D` disabled, `R` replica, `A` always.
        public var enabled: String
        /// The function, as `regproc` prints it.
        public var function: String
    }

    public struct Policy: Sendable {
        public var table: String
        public var name: String
        public var permissive: Bool
        /// `r` SELECT, `a` INSERT, `w` UPDATE, `d` DELETE, `*` ALL.
        public var command: String
        public var roles: [String]
        public var using: String?
        public var check: String?
    }

    public struct Role: Sendable {
        public var name: String
        public var superuser: Bool
        public var bypassRLS: Bool
        /// Superuser or BYPASSRLS roles this role is a member of (it can SET ROLE to them).
        public var bypassMemberships: [String]
        /// LOGIN, and a connection limit other than 0 (a LOGIN role with CONNECTION LIMIT 0 only runs jobs).
        public var canLogin: Bool = false
        /// Every role this one is a member of, directly or through others (it can SET ROLE to them).
        public var memberOf: [String] = []
        /// LOGIN as such, and the connection limit (-1 for none).
        public var login = false
        public var connectionLimit = -1
        /// The roles granted to this one directly (`GRANT b TO r`): the edges a fix revokes.
        public var grantedRoles: [String] = []
        public var bypasses: Bool { superuser || bypassRLS || !bypassMemberships.isEmpty }
    }

    public struct ForeignKey: Sendable {
        public var table: String
        public var name: String
        public var references: String
        /// The referencing columns.
        public var columns: [String] = []
        /// The referenced columns (the key of `references`), in the same order.
        public var referencedColumns: [String] = []
    }

    /// `ALTER DEFAULT PRIVILEGES` for tables: what `owner` creates (in `schema`, or anywhere when empty) grants
    /// `privilege` to `grantee`.
    public struct DefaultPrivilege: Sendable {
        public var owner: String
        public var schema: String
        public var grantee: String
        public var privilege: String
    }

    public struct Function: Sendable {
        public var schema: String
        public var name: String
        public var signature: String
        public var securityDefiner: Bool
        public var config: [String]
        public var leakproof: Bool
        public var volatility: String
        public var parallel: String
        public var owner: String
        /// Roles with EXECUTE (`PUBLIC` when everyone may call it).
        public var executors: [String]
        /// The source of an SQL or PL/pgSQL function (nil for C and others).
        public var body: String? = nil
        /// A C function of the tenantwall extension (its native context readers).
        public var native = false
        /// `schema.name(types)` as `regprocedure` prints it.
        public var identity: String = ""
        /// The argument types: `format_type` for PostgreSQL's own, `schema.name` for others.
        public var argumentTypes: [String] = []
        /// `pg_get_functiondef`, and the ACL as PostgreSQL prints it (nil when never granted).
        public var definition: String? = nil
        public var acl: String? = nil
        public var qualified: String { schema + "." + name }
    }

    public struct Dependency: Sendable {
        public var view: String
        public var table: String
    }

    public struct Trigger: Sendable {
        public var table: String
        public var name: String
        public var function: String
        public var functionOwner: String
        public var securityDefiner: Bool
    }

    public struct IndexInfo: Sendable {
        public var table: String
        public var name: String
        public var columns: [String]
        /// The definition without the index name, to find duplicates.
        public var shape: String
        /// `pg_get_indexdef`, and whether the index is valid (an interrupted concurrent build leaves it INVALID).
        public var definition: String = ""
        public var valid = true
        /// A partial index (`WHERE …`): it does not serve every query on its columns.
        public var partial = false
    }
}
