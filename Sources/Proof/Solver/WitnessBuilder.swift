import CZ3
import Catalog
import Foundation
import Quoting

/// Turns a Z3 model into a `Witness` anyone can read and paste: first it nudges each value towards a small
/// one (uuids `00000000-0000-0000-0000-00000000000N`, integers 1, 2, 3, short text), keeping each nudge only
/// when the formula stays satisfiable, then writes every column as a typed SQL literal and every context
/// variable the check read.
struct WitnessBuilder {
    let solver: Z3Solver
    let variables: Variables
    let logic: Logic
    /// Conditions a witness should meet when it can (no error on either side: a statement that raises
    /// confirms nothing), tried before any value is nudged and given up last.
    var preferences: [Z3_ast] = []
    /// Text terms the check casts to uuid (a setting behind `NULLIF(…, '')::uuid`): their witness value is a
    /// uuid or empty, never text the cast rejects.
    var uuidReads: [Z3_ast] = []
    var z3: Z3Context { solver.context }

    /// - Parameters:
    ///   - goal: the condition the witness satisfies (premise admits, conclusion does not), with the
    ///     `constraints` asserted along with it: when it holds whatever the unreadable values are, they are left
    ///     out of the witness (no statement can set them, and the counterexample does not need them).
    func build(columns: [DatabaseCatalog.Column], goal: Z3_ast? = nil, constraints: [Z3_ast] = []) -> Witness {
        let entries = variables.orderedColumns + variables.orderedContext.map(\.entry)
        var values: [String: Literal?] = [:]
        for entry in entries { values[entry.name] = read(entry) }
        // Strings only compared for equality can be renamed; otherwise the solver has to find small ones.
        let nudged = z3.readsText ? entries : entries.filter { $0.type == .int }
        if nudge(nudged, values, all: entries) {
            for entry in entries { values[entry.name] = read(entry) }
        }
        if !z3.readsText { rename(entries, &values) }
        var row: [String: String?] = [:]
        for column in columns where variables.columns[column.name] == nil {
            row.updateValue(Self.freeValue(column), forKey: column.name)
        }
        for entry in variables.orderedColumns {
            row.updateValue(values[entry.name].flatMap { $0 }.map { Self.sqlLiteral($0, entry) }, forKey: entry.name)
        }
        var context: [String: String?] = [:]
        let unneeded = goal.map { unneededUnreadable($0, constraints: constraints) } ?? []
        for (key, entry) in variables.orderedContext where !unneeded.contains(key) {
            context.updateValue(values[entry.name].flatMap { $0 }.map { Self.contextText($0, key: key, entry: entry) },
                                forKey: Self.witnessName(key, among: variables.orderedContext.map(\.key)))
        }
        return Witness(row: row, context: context)
    }

    /// Renames string values one to one (so equalities stay as they were), keeping every constant the formula
    /// spells out: a value the solver takes for a uuid becomes `00000000-…-00000000000N`, an unreadable one `vN`.
    func rename(_ entries: [Variables.Entry], _ values: inout [String: Literal?]) {
        let kept = z3.strings.union(entries.compactMap { entry -> String? in
            if case .string(let s)?? = values[entry.name] { return s } else { return nil }
        })
        var table: [String: String] = [:]
        var fresh = (uuid: 0, text: 0)
        for entry in entries where [.text, .uuid, .unknown].contains(entry.type) {
            guard case .string(let s)?? = values[entry.name], !z3.strings.contains(s) else { continue }
            if let known = table[s] {
                values[entry.name] = .string(known)
                continue
            }
            let shaped = z3.apply("is_uuid", [entry.term], domain: [z3.stringSort], range: z3.boolSort)
            let isUUID = entry.type == .uuid || solver.evaluate(shaped).flatMap(z3.literal) == .bool(true)
            let readable = s.count <= 16 && s.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f }
            if isUUID ? Translator.canonicalUUID(s) == s : readable || s.isEmpty { continue }
            var name: String
            repeat {
                if isUUID {
                    fresh.uuid += 1
                    name = String(format: "00000000-0000-0000-0000-%012d", fresh.uuid)
                } else {
                    fresh.text += 1
                    name = "v\(fresh.text)"
                }
            } while kept.contains(name) || table.values.contains(name)
            table[s] = name
            values[entry.name] = .string(name)
        }
    }

    /// A column no predicate reads: any value will do, so a plain one (NULL where allowed).
    static func freeValue(_ column: DatabaseCatalog.Column) -> String? {
        guard column.notNull else { return nil }
        switch SQLType(column.type) {
        case .uuid: return SQL.literal(smallUUIDs[0]) + "::uuid"
        case .int:
            let lower = column.type.lowercased()
            return lower.hasPrefix("timestamp") || lower == "date" ? SQL.literal("2000-01-01") + "::" + column.type : "1"
        case .bool: return "false"
        case .text, .unknown: return SQL.literal("a") + "::" + column.type
        case .opaque:
            if column.type.hasSuffix("[]") { return "'{}'::" + column.type }
            return column.type.hasPrefix("json") ? "'{}'::" + column.type : nil
        }
    }

    /// The model's value: nil when NULL, `.some(nil)` never (an unreadable value is written as Z3 prints it).
    func read(_ entry: Variables.Entry) -> Literal? {
        if let null = solver.evaluate(entry.isNull), z3.literal(null) == .bool(true) { return nil }
        guard let term = solver.evaluate(entry.term) else { return nil }
        return z3.literal(term) ?? .number(z3.text(term))
    }

    func term(_ literal: Literal) -> Z3_ast {
        switch literal {
        case .int(let n): return z3.int(n)
        case .string(let s): return z3.string(s)
        case .bool(let b): return z3.bool(b)
        default: return z3.bool(false)
        }
    }

    /// Small values to try instead of what the model chose; none when it already chose a small one.
    func candidates(_ type: SQLType, _ value: Literal) -> [Literal] {
        switch value {
        case .int(let n): return abs(n) <= 100 ? [] : [.int(1), .int(2), .int(3)]
        case .string(let s):
            if type == .uuid || s.count == 36 {
                return Self.smallUUIDs.contains(s) ? [] : Self.smallUUIDs.map { .string($0) } + ["0", "a"].map { .string(Self.uuidLike(s, padding: $0)) }
            }
            if Int(s) != nil, s.count <= 4 { return [] }
            let readable = s.count <= 16 && s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
            return readable ? [] : [.string("a"), .string("b"), .string("1"), .string("")]
        default: return []
        }
    }

    /// The model's text made a uuid: dashes where they belong, every other character a lowercase hex digit
    /// (kept when it already is one), so a prefix the check needs survives.
    static func uuidLike(_ text: String, padding: Character) -> String {
        let chars = Array(text.lowercased()) + Array(repeating: padding, count: 36)
        return String((0..<36).map { i -> Character in
            if [8, 13, 18, 23].contains(i) { return "-" }
            return chars[i].isHexDigit ? chars[i] : "0"
        })
    }

    static let smallUUIDs = (1...4).map { "00000000-0000-0000-0000-00000000000\($0)" }

    /// A column value as a typed literal: `'…'::uuid`, `42`, `true`, `'x'::text`.
    static func sqlLiteral(_ value: Literal, _ entry: Variables.Entry) -> String {
        let declared = entry.declaredType ?? "\(entry.type)"
        switch value {
        case .int(let n):
            let lower = declared.lowercased()
            if lower.hasPrefix("timestamp") || lower == "date" {
                let date = Date(timeIntervalSince1970: TimeInterval(n))
                return SQL.literal(Translator.timestampFormatter.string(from: date)) + "::" + declared
            }
            return String(n)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return SQL.literal(s) + "::" + declared
        case .number(let text): return text
        case .null: return "NULL"
        }
    }

    /// A context value: a setting's raw text, a gate's `true`/`false`, a function's result as a typed literal.
    static func contextText(_ value: Literal, key: String, entry: Variables.Entry) -> String {
        if key.hasPrefix("setting:") || key == "session_user", case .string(let s) = value { return s }
        if case .bool(let b) = value { return b ? "true" : "false" }
        if key.hasPrefix("function:") { return sqlLiteral(value, entry) }
        switch value {
        case .string(let s): return SQL.literal(s)
        case .int(let n): return String(n)
        case .number(let text): return text
        default: return "NULL"
        }
    }

    /// `function:<identity>@<version>` is written `function:<identity>` unless two versions of it are in the
    /// check (a body that changed between the sides), then with the version.
    static func witnessName(_ key: String, among keys: [String]) -> String {
        guard key.hasPrefix("function:"), let at = key.lastIndex(of: "@") else { return key }
        let identity = key[..<at]
        let versions = keys.filter { $0.hasPrefix(identity + "@") }.count
        return versions > 1 ? key : String(identity)
    }
}
