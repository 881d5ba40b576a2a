import CZ3
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
    var z3: Z3Context { solver.context }

    func build() -> Witness {
        let entries = variables.orderedColumns + variables.orderedContext.map(\.entry)
        var fallback: [String: Literal?] = [:]
        for entry in entries { fallback[entry.name] = read(entry) }
        var pinned = 0
        for entry in entries {
            guard let current = fallback[entry.name], let value = current else { continue }
            for candidate in candidates(entry.type, value) {
                solver.push()
                solver.assert(z3.and([z3.not(entry.isNull), z3.eq(entry.term, term(candidate))]))
                if case .satisfiable = solver.check() {
                    pinned += 1
                    break
                }
                solver.pop()
            }
        }
        var values = fallback
        if pinned > 0, case .satisfiable = solver.check() {
            for entry in entries { values[entry.name] = read(entry) }
        }
        var row: [String: String?] = [:]
        for entry in variables.orderedColumns {
            row.updateValue(values[entry.name].flatMap { $0 }.map { Self.sqlLiteral($0, entry) }, forKey: entry.name)
        }
        var context: [String: String?] = [:]
        for (key, entry) in variables.orderedContext {
            context.updateValue(values[entry.name].flatMap { $0 }.map { Self.contextText($0, key: key, entry: entry) },
                                forKey: Self.witnessName(key, among: variables.orderedContext.map(\.key)))
        }
        return Witness(row: row, context: context)
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
                return Self.smallUUIDs.contains(s) ? [] : Self.smallUUIDs.map { .string($0) } + [.string(Self.uuidLike(s))]
            }
            if Int(s) != nil, s.count <= 4 { return [] }
            let readable = s.count <= 16 && s.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f }
            return readable ? [] : [.string("a"), .string("b"), .string("1"), .string("")]
        default: return []
        }
    }

    /// The model's text made a uuid: dashes where they belong, every other character a lowercase hex digit
    /// (kept when it already is one), so a prefix the check needs survives.
    static func uuidLike(_ text: String) -> String {
        let chars = Array(text.lowercased()) + Array(repeating: Character("0"), count: 36)
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
