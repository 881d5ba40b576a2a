/// What a role holds on an object for one command: nothing, the whole table, or some of its columns.
///
/// Column grants are kept apart from table grants because a column grant widening (`GRANT SELECT (ssn)`) is a
/// change review must name by column even when the rows reached stay the same.
public enum AccessPrivilege: Sendable, Hashable {
    case none
    case table
    /// Granted on these columns only, in the table's order (empty when the catalog listed no column names).
    case columns([String])

    /// The columns reached, `all` standing for every column of the table.
    func columns(all: [String]) -> [String] {
        switch self {
        case .none: []
        case .table: all
        case .columns(let names): names
        }
    }

    /// As a report shows it: `SELECT`, `SELECT (a, b)`, `no SELECT`.
    func text(_ command: AccessCommand) -> String {
        switch self {
        case .none: "no \(command.rawValue)"
        case .table: command.rawValue
        case .columns(let names): "\(command.rawValue) (\(names.joined(separator: ", ")))"
        }
    }
}
