import CZ3
import Foundation

/// Literals, casts and comparisons: how each type is a Z3 term, and which conversions may fail (an error,
/// which admits nothing).
extension Translator {
    func literal(_ literal: Literal, hint: SQLType?) throws -> SQLValue {
        switch literal {
        case .null: return logic.null(hint ?? .unknown)
        case .bool(let b): return logic.constant(b)
        case .int(let n): return logic.value(.int, z3.int(n), null: z3.bool(false))
        case .number(let text): throw Unreadable(construct: "the decimal constant \(text)")
        case .string(let s):
            var v = logic.value(.unknown, z3.string(s), null: z3.bool(false))
            v.literal = s
            return v
        }
    }

    func cast(_ v: SQLValue, to target: SQLType, typeName: String) throws -> SQLValue {
        if target == .opaque, v.type != .opaque {
            throw Unreadable(construct: "a cast to \(typeName)")
        }
        return try coerce(v, to: target)
    }

    /// Converts a value to a type: a string literal is read now; text to uuid/int/bool may fail at run time.
    func coerce(_ v: SQLValue, to target: SQLType) throws -> SQLValue {
        if v.type == target || target == .unknown { return v }
        if let text = v.literal, v.type == .unknown { return try typedLiteral(text, target) }
        var out = v
        out.type = target
        out.literal = nil
        switch (v.type, target) {
        case (.uuid, .text):
            uuidTexts.append((v.term, v.isNull))
            return out
        case (.text, .unknown), (.unknown, .text): return out
        case (.text, .uuid), (.unknown, .uuid):
            uuidReads.append(v.term)
            out.isError = z3.or([v.isError, z3.and([z3.not(v.isNull), z3.not(isUUID(v.term))])])
            return out
        case (.int, .text):
            out.term = z3.ite(z3.le(z3.int(0), v.term), z3.intToStr(v.term), z3.concat([z3.string("-"), z3.intToStr(z3.negate(v.term))]))
            return out
        case (.text, .int), (.unknown, .int):
            // `-42` and `42`: digits after an optional minus; anything else (`''`, `4x`) fails.
            let negative = z3.prefix(z3.string("-"), of: v.term)
            let digits = z3.ite(negative, z3.drop(1, v.term), v.term)
            let magnitude = z3.strToInt(digits)
            out.term = z3.ite(negative, z3.negate(magnitude), magnitude)
            out.isError = z3.or([v.isError, z3.and([z3.not(v.isNull), z3.lt(magnitude, z3.int(0))])])
            return out
        case (.bool, .text):
            out.term = z3.ite(v.term, z3.string("true"), z3.string("false"))
            return out
        case (.text, .bool), (.unknown, .bool):
            let yes = ["t", "true", "on", "yes", "1", "y"].map { z3.eq(v.term, z3.string($0)) }
            let no = ["f", "false", "off", "no", "0", "n"].map { z3.eq(v.term, z3.string($0)) }
            out.term = z3.or(yes)
            out.isError = z3.or([v.isError, z3.and([z3.not(v.isNull), z3.not(z3.or(yes + no))])])
            return out
        default:
            throw Unreadable(construct: "a conversion from \(v.type) to \(target)")
        }
    }

    /// `'…'::type` read at translation time: an invalid literal is an error value (the statement would fail).
    func typedLiteral(_ text: String, _ target: SQLType) throws -> SQLValue {
        let failed = logic.value(target, logic.null(target).term, null: z3.bool(false), error: z3.bool(true))
        switch target {
        case .text, .unknown: return logic.value(.text, z3.string(text), null: z3.bool(false))
        case .uuid:
            guard let canonical = Translator.canonicalUUID(text) else { return failed }
            return logic.value(.uuid, z3.string(canonical), null: z3.bool(false))
        case .int:
            guard let n = Int(text.trimmingCharacters(in: .whitespaces)) ?? Translator.seconds(text) else {
                throw Unreadable(construct: "the constant '\(text)' as a number or date")
            }
            return logic.value(.int, z3.int(n), null: z3.bool(false))
        case .bool:
            let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
            if ["t", "true", "on", "yes", "1", "y"].contains(lower) { return logic.constant(true) }
            if ["f", "false", "off", "no", "0", "n"].contains(lower) { return logic.constant(false) }
            return failed
        case .opaque:
            return contextVariable("literal:" + text, type: .opaque, nullable: false)
        }
    }

    /// Dates and timestamps are integers: seconds since 1970 (UTC), so literals and columns compare in order.
    static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = format
            if let date = formatter.date(from: String(trimmed.prefix(format.count + (format.contains("'") ? -2 : 0)))) {
                return Int(date.timeIntervalSince1970)
            }
        }
        return nil
    }

    static let timestampFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()

    /// A uuid as PostgreSQL prints it: lowercase, dashed; nil when PostgreSQL would reject the text.
    static func canonicalUUID(_ text: String) -> String? {
        var hex = text.lowercased().filter { $0 != "-" }
        if hex.hasPrefix("{"), hex.hasSuffix("}") { hex = String(hex.dropFirst().dropLast()) }
        guard hex.count == 32, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        let c = Array(hex)
        return [String(c[0..<8]), String(c[8..<12]), String(c[12..<16]), String(c[16..<20]), String(c[20..<32])].joined(separator: "-")
    }

    func equal(_ a: SQLValue, _ b: SQLValue) throws -> Z3_ast {
        guard Translator.comparable(a.type, b.type) else { throw Unreadable(construct: "a comparison of \(a.type) with \(b.type)") }
        return z3.eq(a.term, b.term)
    }

    static func comparable(_ a: SQLType, _ b: SQLType) -> Bool {
        let strings: Set<SQLType> = [.text, .uuid, .unknown]
        return a == b || strings.contains(a) && strings.contains(b)
    }

    func compare(_ op: String, _ a: SQLValue, _ b: SQLValue) throws -> SQLValue {
        let eq = try equal(a, b)
        let term: Z3_ast
        switch op {
        case "=": term = eq
        case "<>", "!=": term = z3.not(eq)
        default:
            let (x, y) = op.hasPrefix(">") ? (b, a) : (a, b)
            let strict = op == "<" || op == ">"
            switch a.type {
            case .int: term = strict ? z3.lt(x.term, y.term) : z3.le(x.term, y.term)
            case .text, .uuid, .unknown: term = strict ? z3.strLt(x.term, y.term) : z3.strLe(x.term, y.term)
            case .bool: term = strict ? z3.and([z3.not(x.term), y.term]) : z3.implies(x.term, y.term)
            case .opaque:
                let less = z3.apply("opaque<", [x.term, y.term], domain: [z3.opaqueSort, z3.opaqueSort], range: z3.boolSort)
                term = strict ? less : z3.or([less, eq])
            }
        }
        return logic.value(.bool, term, from: [a, b])
    }

    func isValue(_ v: SQLValue, _ literal: Literal, negated: Bool) throws -> SQLValue {
        let holds: Z3_ast
        switch literal {
        case .bool(true): holds = z3.and([z3.not(v.isNull), v.term])
        case .bool(false): holds = logic.isFalse(v)
        default: holds = v.isNull
        }
        return logic.test(negated ? z3.not(holds) : holds, of: v)
    }

    /// `a || b`: text concatenation, non-text operands cast to text; NULL when either is.
    func concat(_ a: Expr, _ b: Expr, _ scope: Scope) throws -> SQLValue {
        let x = try coerce(try translate(a, scope, hint: .text), to: .text)
        let y = try coerce(try translate(b, scope, hint: .text), to: .text)
        return logic.value(.text, z3.concat([x.term, y.term]), from: [x, y])
    }

    /// `current_user` is the side's role (a SECURITY DEFINER function's owner inside it); `session_user` a
    /// context variable.
    func contextValue(_ name: String, _ scope: Scope) -> SQLValue {
        if name == "current_user" { return logic.value(.text, z3.string(scope.definer ?? scope.side.role), null: z3.bool(false)) }
        return contextVariable(name, type: .text, nullable: false)
    }
}
