import Catalog

/// What the solver needs to know of one database (a review's base or head) to read a predicate on one table for
/// one role: the row's columns and types, the functions the predicate may call (SQL bodies are inlined), and who
/// is asking.
public struct Side: Sendable {
    /// The table's columns with their types (`format_type`) and NOT NULL.
    public var columns: [DatabaseCatalog.Column]
    /// Every function of the database: SQL bodies are inlined; others become values keyed by identity and body.
    public var functions: [DatabaseCatalog.Function]
    /// `current_user` while the predicate runs.
    public var role: String
    /// The roles `role` is a member of (directly or not): `pg_has_role` and `current_user` comparisons read them.
    public var memberships: Set<String>
    /// Gate functions (qualified name, e.g. `desk.admin_mode_enabled`) that return true only for members of the
    /// given role (tenantwall's admin gate); for any other role they are false.
    public var gates: [String: String]

    public init(columns: [DatabaseCatalog.Column], functions: [DatabaseCatalog.Function] = [], role: String,
                memberships: Set<String> = [], gates: [String: String] = [:]) {
        self.columns = columns
        self.functions = functions
        self.role = role
        self.memberships = memberships
        self.gates = gates
    }
}
