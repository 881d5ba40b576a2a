/// Which rows a role reaches with one command on one object, once it holds the privilege.
public enum AccessReach: Sendable, Hashable {
    /// No privilege: the command fails before any row is read.
    case denied
    /// Every row, and why RLS does not apply (RLS off, BYPASSRLS, an owner RLS is not forced on, TRUNCATE,
    /// REFERENCES, a materialized view).
    case unfiltered(String)
    /// The rows the policies admit. `using` filters existing rows (SELECT, UPDATE, DELETE), `check` new rows
    /// (INSERT, UPDATE); nil where the clause does not apply to the command. A command with no permissive policy
    /// gets `.none` (RLS on with no policy denies everything).
    case filtered(using: Predicate?, check: Predicate?)
    /// A view: it runs with its owner's rights unless `security_invoker`, so what it reaches depends on the owner
    /// and on its query, which are compared as they stand rather than solved.
    case view(ViewReach)
}

/// What a view reaches: the view's own options and query, and, for a view that runs with its owner's rights, what
/// that owner reaches on the tables it reads.
public struct ViewReach: Sendable, Hashable {
    public var owner: String
    /// `security_invoker` (PostgreSQL 15+): the caller's rights and policies apply to the tables it reads.
    public var securityInvoker: Bool
    /// `security_barrier`: the caller's functions cannot see rows the view's WHERE removes.
    public var securityBarrier: Bool
    /// `WITH [CASCADED | LOCAL] CHECK OPTION`: rows written through the view must satisfy its WHERE.
    public var checkOption: Bool
    /// The view's query as `pg_get_viewdef` prints it.
    public var definition: String
    /// The WHERE of a simple view (one relation, no grouping), unqualified: what the solver reads of its query.
    public var condition: String?
    /// The tables it reads (from `pg_depend`), qualified, sorted.
    public var reads: [String]
    /// When the view runs as its owner: each table read on which the owner is not filtered, with why
    /// (`public.orders: row-level security is off`); empty when every table read filters the owner.
    public var ownerUnfiltered: [String]

    /// Whether the view shows rows no policy filters for its caller.
    public var bypasses: Bool { !securityInvoker && !ownerUnfiltered.isEmpty }

    /// One line for reports: whose rights it runs with, and what the owner reaches.
    public var summary: String {
        if securityInvoker { return "security_invoker view" }
        let reach = ownerUnfiltered.isEmpty ? "filtered by the owner's policies" : ownerUnfiltered.joined(separator: "; ")
        return "view with the rights of \(owner)" + (securityBarrier ? ", security_barrier" : "") + " (\(reach))"
    }
}
