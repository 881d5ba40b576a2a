import PolicyGen

/// What a check is, in the words `verify --list-checks` prints and docs/verify.md's table shows (a test keeps the
/// two equal): its id (or a family of ids, `select-{none,empty,malformed}-context`), what it tries, and when
/// it passes.
public struct CheckInfo: Sendable, Equatable {
    public var id: String
    public var tries: String
    public var passesWhen: String
}

/// Where the engine (`TableProbe`) runs a check, and so which parts of `ProbeTarget` it fills in.
enum CheckScope {
    /// Once per table (catalog flags).
    case table
    /// Once per acting role.
    case role
    /// Per acting role and probe tenant, with the next tenant as the victim.
    case tenant
    /// Per acting role and each context that names no tenant (none, empty, malformed).
    case noContext
    /// Per partition or chunk, as every acting role.
    case child
    /// Per view over the table that an acting role can read.
    case view
    /// Once, on the table chosen for admin-mode checks.
    case admin
}

/// One acting role (and tenant, context, partition or view) a check runs for.
struct ProbeTarget {
    typealias Tenant = (label: String, id: String)
    var role = "-"
    var commands: Set<Command> = []
    var actor: Tenant = ("-", "")
    var victim: Tenant = ("-", "")
    var context = ProbeSession.Context.none
    var child = ""
    /// Whether `child` is a compressed chunk (TimescaleDB's compressed form: other columns).
    var compressed = false
    var view = (name: "", materialized: false)
}

/// A check on one table: a value with its description and how it runs, one file each in this folder.
protocol TableCheck {
    var info: CheckInfo { get }
    var scope: CheckScope { get }
    /// Its results for one target: none when it does not apply there (a command the role lacks, say).
    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult]
}
