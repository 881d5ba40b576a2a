import Foundation
import Yams

/// A table's `columns`: each column's name, type, NOT NULL and default (a value or a known function, never
/// free SQL). It owns the column keys, how a column is read (`name: type` or a mapping), and the diagnostics
/// about names, types and defaults that would fail at apply.
public struct Column: Sendable {
    public var name: String
    /// A validated type name, e.g. `timestamptz`, `numeric(12,2)`, `text[]`.
    public var type: String
    public var notNull: Bool
    public var defaultValue: ColumnDefault?
    public var location: SourceLocation?

    public init(name: String, type: String, notNull: Bool = false, defaultValue: ColumnDefault? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.type = type
        self.notNull = notNull
        self.defaultValue = defaultValue
        self.location = location
    }
}

/// Column defaults are values or one of a few known functions, never free SQL.
public enum ColumnDefault: Sendable, Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case function(String)

    /// The functions a spec may name as a default.
    public static let functions = ["now()", "gen_random_uuid()", "current_timestamp", "clock_timestamp()", "current_date", "identity"]
}

// MARK: - Keys

extension Table {
    static let columnsKey = SpecKey<Table>("columns") { table, entry, reader in table.columns = Column.readAll(entry.value, &reader) }
}

extension Column {
    static let keys: [SpecKey<Column>] = [
        SpecKey("type") { column, entry, reader in column.type = reader.string(entry.value, what: "column type") ?? "" },
        SpecKey("not_null") { column, entry, reader in column.notNull = reader.bool(entry.value, what: "not_null") ?? false },
        SpecKey("default") { column, entry, reader in column.defaultValue = readDefault(entry.value, &reader) },
    ]

    /// `name: type` or `name: {type: …, not_null: …, default: …}`, in the order written.
    static func readAll(_ node: Node, _ reader: inout NodeReader) -> [Column] {
        var columns: [Column] = []
        for (name, keyNode, value) in reader.mapping(node, allowed: nil, what: "columns") ?? [] {
            let location = reader.location(keyNode)
            if case .scalar = value {
                if let type = reader.string(value, what: "the type of column '\(name)'") {
                    columns.append(Column(name: name, type: type, location: location))
                }
                continue
            }
            var column = Column(name: name, type: "", location: location)
            let entries = reader.entries(value, keys: keys, what: "column '\(name)'") ?? []
            reader.read(entries, into: &column, keys: keys)
            if !entries.contains(where: { $0.key == "type" }) { reader.error("column '\(name)' needs a 'type'", keyNode) }
            columns.append(column)
        }
        return columns
    }

    /// A plain scalar that names an allowed function, a boolean or a number is read as one; anything else
    /// plain ending in `)` looks like a function call and is refused; the rest is a string.
    static func readDefault(_ node: Node, _ reader: inout NodeReader) -> ColumnDefault? {
        guard case let .scalar(scalar) = node else {
            reader.error("a default must be a value or one of \(ColumnDefault.functions.joined(separator: ", "))", node)
            return nil
        }
        if scalar.style == .plain {
            if ColumnDefault.functions.contains(scalar.string.lowercased()) { return .function(scalar.string.lowercased()) }
            if let bool = node.bool { return .bool(bool) }
            if node.int != nil || node.float != nil { return .number(scalar.string) }
            if scalar.string.hasSuffix(")") {
                reader.error("default '\(scalar.string)' is not an allowed function (one of: \(ColumnDefault.functions.joined(separator: ", "))); quote it to use it as a string", node)
                return nil
            }
        }
        return .string(scalar.string)
    }
}

// MARK: - Checks

extension Table {
    /// Each column named once and kept whole by PostgreSQL, of a type tenantwall knows, with a default its
    /// type accepts.
    func checkColumns(_ checks: inout SpecChecks) {
        var names: Set<String> = []
        for column in columns {
            checks.identifier(column.name, "column name", column.location)
            if !names.insert(column.name).inserted { checks.error("duplicate column '\(column.name)' in '\(qualifiedName)'", column.location) }
            if column.type.trimmingCharacters(in: .whitespaces).isEmpty {
                checks.error("column '\(column.name)' needs a type", column.location)
            } else if TypeName.normalize(column.type) == nil {
                checks.error("column '\(column.name)' has unsupported type '\(column.type)' (supported: \(TypeName.baseTypes.sorted().joined(separator: ", ")), with optional (n) and [], or a type of the database's own written schema.name)", column.location)
            }
            if let value = column.defaultValue, let problem = DefaultCheck.problem(value, type: column.type) {
                checks.error("default of column '\(column.name)': \(problem)", column.location)
            }
        }
    }
}
