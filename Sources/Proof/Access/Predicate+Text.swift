/// A predicate as one line of SQL, for reports and for telling two predicates apart cheaply.
extension Predicate {
    /// `true`, `false`, the policy's own text, or the parts parenthesised and joined by AND / OR.
    public var text: String {
        switch self {
        case .constant(let value): value ? "true" : "false"
        case .expression(let sql): sql
        case .and(let parts): parts.map { "(\($0.text))" }.joined(separator: " AND ")
        case .or(let parts): parts.map { "(\($0.text))" }.joined(separator: " OR ")
        }
    }

    /// The policy expressions it is made of, in order.
    var expressions: [String] {
        switch self {
        case .constant: []
        case .expression(let sql): [sql]
        case .and(let parts), .or(let parts): parts.flatMap(\.expressions)
        }
    }
}
