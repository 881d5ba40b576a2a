/// A row predicate as PostgreSQL combines a table's policies for one role and command: permissive policies
/// ORed, restrictive ones ANDed, each policy's expression as the server prints it (`pg_get_expr`).
///
/// Kept as the policies' own texts rather than one string, so that a change to one policy is reported against
/// it, and so that the solver parses each expression once.
public indirect enum Predicate: Sendable, Hashable {
    /// `true`: every row (RLS off, a bypassing role, an owner RLS is not forced on). `false`: no row.
    case constant(Bool)
    /// One policy expression, as `pg_get_expr` prints it (or written by hand in a test).
    case expression(String)
    case and([Predicate])
    case or([Predicate])

    public static let all = Predicate.constant(true)
    public static let none = Predicate.constant(false)
}
