/// What a generated statement creates or changes, so that `plan` can pick the statements for the objects
/// that differ from the live database.
public enum ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    case roles
    case schema(String)
    case helpers
    case table(String)
    case timeSeries(String)
    case index(table: String, name: String)
    case rowSecurity(String)
    case policies(String)
    case grants(String)
    case partitionGuard
    /// Citus: how a table is distributed.
    case distribution(String)
    /// An adopted database's own setter (`legacy_functions:`).
    case legacyFunction(String)
    /// A rollup: its materialized view and walled view (`rollups:`).
    case rollup(String)
    /// The views a walled hypertable's rows and aggregates are read and written through.
    case wall(String)
    /// The per-tenant change trail: its role, schema, table, policies, functions and the triggers that write it.
    case trail

    public var description: String {
        switch self {
        case .roles: return "roles"
        case .schema(let s): return "schema \(s)"
        case .helpers: return "helper functions"
        case .table(let t): return "table \(t)"
        case .timeSeries(let t): return "time series \(t)"
        case .index(let t, let n): return "index \(n) on \(t)"
        case .rowSecurity(let t): return "row security \(t)"
        case .policies(let t): return "policies \(t)"
        case .grants(let t): return "grants \(t)"
        case .partitionGuard: return "partition guard"
        case .distribution(let t): return "distribution \(t)"
        case .legacyFunction(let f): return "legacy function \(f)"
        case .rollup(let r): return "rollup \(r)"
        case .wall(let t): return "wall \(t)"
        case .trail: return "change trail"
        }
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.description < b.description }
}

/// One generated statement with the comment that explains it.
public struct Statement: Sendable {
    public var object: ObjectKey
    public var comment: String?
    public var sql: String

    public init(_ object: ObjectKey, _ sql: String, comment: String? = nil) {
        self.object = object
        self.sql = sql
        self.comment = comment
    }
}

/// A titled group of statements; the generated file is a sequence of these.
public struct Section: Sendable {
    public var title: String
    public var statements: [Statement]

    public init(_ title: String, _ statements: [Statement]) {
        self.title = title
        self.statements = statements
    }
}

/// Renders sections as a readable, commented SQL script. Deterministic: same input, same bytes.
public enum ScriptRenderer {
    public static func render(header: [String], sections: [Section]) -> String {
        var out = comment(header.joined(separator: "\n"))
        for section in sections where !section.statements.isEmpty {
            let rule = "-- " + String(repeating: "=", count: 76) + "\n"
            out += "\n" + rule + comment(section.title) + rule
            for statement in section.statements {
                out += "\n"
                if let text = statement.comment { out += comment(text) }
                out += statement.sql + ";\n"
            }
        }
        return out
    }

    /// Every line of `text` as a `--` comment. Splits on CR as well as LF: either ends a SQL comment, so a
    /// name containing one must not be able to start a line of SQL.
    static func comment(_ text: String) -> String {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { "-- " + $0 }.joined(separator: "\n") + "\n"
    }
}
