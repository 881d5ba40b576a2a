import Foundation

/// Checks a column default against the column's type before it reaches the server, so that a spec `check`
/// accepts also applies: `default: ""` on a bigint, `1e309` on a timestamptz or a NUL byte in a string would
/// otherwise fail at `CREATE TABLE` (or, for the NUL, cut the generated script short).
public enum DefaultCheck {
    static let integerRanges: [String: ClosedRange<Int64>] = [
        "smallint": Int64(Int16.min)...Int64(Int16.max), "int2": Int64(Int16.min)...Int64(Int16.max),
        "integer": Int64(Int32.min)...Int64(Int32.max), "int": Int64(Int32.min)...Int64(Int32.max), "int4": Int64(Int32.min)...Int64(Int32.max),
        "bigint": Int64.min...Int64.max, "int8": Int64.min...Int64.max,
    ]
    static let timeFunctions: Set = ["now()", "current_timestamp", "clock_timestamp()"]

    /// Why `value` cannot be the default of a column of type `rawType`, or nil.
    public static func problem(_ value: ColumnDefault, type rawType: String) -> String? {
        guard let type = TypeName.normalize(rawType) else { return nil }  // the type itself is reported elsewhere
        if type.hasSuffix("[]") { return nil }
        let base = String(type.prefix { $0 != "(" })
        switch value {
        case .function(let f): return functionProblem(f, base: base, type: type)
        case .bool(let b):
            return ["boolean", "bool", "text", "varchar", "character varying", "char", "character"].contains(base) ? nil : "\(b) is not a \(type)"
        case .number(let n): return numberProblem(n, base: base, type: type)
        case .string(let s):
            if let c = s.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\n" || $0.value == 0x7f }) {
                return "the default contains a control character (U+\(String(format: "%04X", c.value))), which SQL text cannot carry safely"
            }
            return stringProblem(s, base: base, type: type)
        }
    }

    static func functionProblem(_ f: String, base: String, type: String) -> String? {
        switch f {
        case "identity": return integerRanges[base] == nil ? "identity needs an integer column, not \(type)" : nil
        case "gen_random_uuid()": return ["uuid", "text"].contains(base) ? nil : "gen_random_uuid() makes a uuid, not a \(type)"
        case "current_date": return ["date", "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone", "text"].contains(base) ? nil : "current_date is a date, not a \(type)"
        case _ where timeFunctions.contains(f):
            return TypeName.isTime(type) || ["time", "timetz", "text"].contains(base) ? nil : "\(f) is a timestamp, not a \(type)"
        default: return nil
        }
    }

    static func numberProblem(_ n: String, base: String, type: String) -> String? {
        if let range = integerRanges[base] {
            guard let value = Int64(n) else { return "\(n) is not a whole number, as \(type) needs" }
            return range.contains(value) ? nil : "\(n) is out of range for \(type)"
        }
        switch base {
        case "real", "float4", "float8", "double precision":
            guard let value = Double(n), value.isFinite else { return "\(n) is not a finite \(type)" }
            return nil
        case "numeric", "decimal", "money":
            return decimalProblem(n, type: type)
        case "text", "varchar", "character varying", "char", "character", "jsonb", "json": return nil
        default: return "a number is not a \(type)"
        }
    }

    static func decimalProblem(_ n: String, type: String) -> String? {
        guard n.range(of: #"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"#, options: .regularExpression) != nil else { return "\(n) is not a number" }
        if let e = n.lowercased().split(separator: "e").dropFirst().first, let exponent = Int(e), abs(exponent) > 1000 {
            return "\(n) is out of range for \(type)"
        }
        return nil
    }

    static func stringProblem(_ s: String, base: String, type: String) -> String? {
        if let range = integerRanges[base] {
            guard let value = Int64(s.trimmingCharacters(in: .whitespaces)) else { return "'\(s)' is not a whole number, as \(type) needs" }
            return range.contains(value) ? nil : "'\(s)' is out of range for \(type)"
        }
        switch base {
        case "real", "float4", "float8", "double precision":
            let lowered = s.lowercased().trimmingCharacters(in: .whitespaces)
            return Double(lowered) != nil || ["nan", "infinity", "-infinity", "inf", "-inf"].contains(lowered) ? nil : "'\(s)' is not a \(type)"
        case "numeric", "decimal":
            return s.lowercased() == "nan" ? nil : decimalProblem(s.trimmingCharacters(in: .whitespaces), type: type)
        case "boolean", "bool":
            return ["true", "false", "t", "f", "yes", "no", "y", "n", "on", "off", "1", "0"].contains(s.lowercased().trimmingCharacters(in: .whitespaces))
                ? nil : "'\(s)' is not a boolean"
        case "uuid":
            return UUID(uuidString: s) != nil || s.range(of: #"^\{?[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}\}?$"#, options: .regularExpression) != nil
                ? nil : "'\(s)' is not a uuid"
        case "date", "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone":
            let special: Set = ["infinity", "-infinity", "epoch", "now", "today", "tomorrow", "yesterday"]
            let pattern = #"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"#
            return special.contains(s.lowercased()) || s.range(of: pattern, options: .regularExpression) != nil
                ? nil : "'\(s)' is not a \(type) (write it as YYYY-MM-DD[ HH:MM[:SS]][+HH:MM])"
        case "json", "jsonb":
            return (try? JSONSerialization.jsonObject(with: Data(s.utf8), options: [.fragmentsAllowed])) != nil ? nil : "'\(s)' is not valid JSON"
        default: return nil
        }
    }
}
