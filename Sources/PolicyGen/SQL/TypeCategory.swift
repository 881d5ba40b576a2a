/// What kind of value a column type holds, for the code that makes up values: verify's probe rows and the
/// benchmark's dataset. One table of PostgreSQL's type names, so the two cannot disagree on what a type is.
public enum TypeCategory: Equatable, Sendable {
    case uuid, smallint, integer, bigint, float, numeric, boolean, text, timestamp, date, time, interval, json, bytea
    case inet, macaddr, tsvector
    /// A type with no generator here (a domain, an enum, a composite).
    case other

    /// The category of a normalized type name (`TypeName.normalize`), ignoring any modifier and array brackets.
    public init(_ type: String) {
        let base = (type.split(separator: "(").first.map(String.init) ?? type).replacingOccurrences(of: "[]", with: "")
        switch base {
        case "uuid": self = .uuid
        case "smallint", "int2": self = .smallint
        case "integer", "int", "int4": self = .integer
        case "bigint", "int8": self = .bigint
        case "real", "float4", "float8", "double precision": self = .float
        case "numeric", "decimal", "money": self = .numeric
        case "boolean", "bool": self = .boolean
        case "text", "varchar", "character varying", "char", "character": self = .text
        case "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone": self = .timestamp
        case "date": self = .date
        case "time", "timetz", "time with time zone", "time without time zone": self = .time
        case "interval": self = .interval
        case "jsonb", "json": self = .json
        case "bytea": self = .bytea
        case "inet", "cidr": self = .inet
        case "macaddr": self = .macaddr
        case "tsvector": self = .tsvector
        default: self = .other
        }
    }

    public var isNumber: Bool { [.smallint, .integer, .bigint, .float, .numeric].contains(self) }
}
