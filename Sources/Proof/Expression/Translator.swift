import CZ3
import Foundation

/// Where an expression is read: whose side (columns, functions, role) and, inside an inlined SQL function,
/// the values of its parameters.
struct Scope {
    var side: Side
    var parameters: [SQLValue] = []
    var named: [String: SQLValue] = [:]
    var depth = 0
    /// Inside a SECURITY DEFINER function: its owner, who is `current_user` there (not the side's role).
    var definer: String?
}

/// Turns `Expr` into Z3 terms over one shared set of variables: columns by name, settings, context functions
/// and gates by name, opaque values by canonical tree. One translator serves both sides of a check, so what
/// the two sides share is the same variable.
final class Translator {
    let z3: Z3Context
    let logic: Logic
    /// Every variable made, for the witness and for the domain constraints asserted with the check.
    var variables = Variables()
    var constraints: [Z3_ast] = []
    /// uuids read as text: when the formula looks inside text (LIKE, ordering), they get their exact form.
    var uuidTexts: [(term: Z3_ast, isNull: Z3_ast)] = []
    /// Text cast to uuid (`NULLIF(current_setting(…), '')::uuid`): the witness gives these a uuid or ''.
    var uuidReads: [Z3_ast] = []
    /// "This predicate raised an error", for each predicate read: a witness avoids them where it can.
    var errors: [Z3_ast] = []
    /// Every expression of the check with its side, read before any is translated: a function the side does
    /// not list takes its type from a column it is compared with anywhere in the check.
    var seen: [(Expr, Side)] = []
    var inferred: [String: SQLType]?

    /// The constraints to assert with the check: the domain ones, and the exact uuid form where text is read.
    var allConstraints: [Z3_ast] {
        guard z3.readsText else { return constraints }
        return constraints + uuidTexts.map { z3.implies(z3.not($0.isNull), z3.inRegex($0.term, uuidRegex())) }
    }

    init(_ z3: Z3Context) {
        self.z3 = z3
        logic = Logic(z3: z3)
    }

    /// Reads one predicate: `expression`s parsed, policies combined as PostgreSQL does (the row is admitted when
    /// the combination is TRUE). The result is the Z3 condition "this predicate admits the row".
    func admits(_ predicate: Predicate, in side: Side) throws -> Z3_ast {
        switch predicate {
        case .constant(let value): return z3.bool(value)
        case .and(let parts): return z3.and(try parts.map { try admits($0, in: side) })
        case .or(let parts): return z3.or(try parts.map { try admits($0, in: side) })
        case .expression(let text):
            let value = try translate(try ExpressionCache.shared.read(text), Scope(side: side), hint: .bool)
            guard value.type == .bool else { throw Unreadable(construct: "a predicate that is not boolean: \(text)") }
            errors.append(value.isError)
            return logic.isTrue(value)
        }
    }

    func translate(_ expr: Expr, _ scope: Scope, hint: SQLType? = nil) throws -> SQLValue {
        switch expr {
        case .column(let name):
            if let bound = scope.named[name] { return bound }
            return try column(name, scope.side)
        case .parameter(let n):
            guard n >= 1, n <= scope.parameters.count else { throw Unreadable(construct: "the parameter $\(n) outside a function") }
            return scope.parameters[n - 1]
        case .literal(let literal): return try self.literal(literal, hint: hint)
        case .cast(let inner, let type):
            let target = SQLType(type)
            return try cast(try translate(inner, scope, hint: target), to: target, typeName: type)
        case .and(let parts): return logic.and(try parts.map { try boolean($0, scope) })
        case .or(let parts): return logic.or(try parts.map { try boolean($0, scope) })
        case .not(let inner): return logic.not(try boolean(inner, scope))
        case .compare(let op, let a, let b):
            let (x, y) = try pair(a, b, scope)
            return try compare(op, x, y)
        case .distinct(let a, let b, let negated):
            let (x, y) = try pair(a, b, scope)
            let differ = logic.distinct(x, y)
            return negated ? logic.value(.bool, z3.not(differ.term), null: z3.bool(false), from: [differ]) : differ
        case .isNull(let inner, let negated):
            let v = try translate(inner, scope)
            return logic.test(negated ? z3.not(v.isNull) : v.isNull, of: v)
        case .isValue(let inner, let literal, let negated):
            return try isValue(try boolean(inner, scope), literal, negated: negated)
        case .anyOf(let op, let subject, let items, let all):
            let tests = try items.map { try translate(.compare(op, subject, $0), scope) }
            return all ? logic.and(tests) : logic.or(tests)
        case .anyArray(let op, let subject, let array, let all):
            return try membership(op, subject, array, all: all, scope)
        case .namedArgument:
            throw Unreadable(construct: "a named argument outside a call")
        case .raise:
            let type = hint ?? .unknown
            return logic.value(type, logic.null(type).term, null: z3.bool(false), error: z3.bool(true))
        case .array:
            // Only `= ANY` reads an array as a list (the reader makes any other `ARRAY[…]` an opaque value).
            throw Unreadable(construct: "an array where a value is expected")
        case .between(let x, let low, let high, let negated):
            let inside = logic.and([try translate(.compare(">=", x, low), scope), try translate(.compare("<=", x, high), scope)])
            return negated ? logic.not(inside) : inside
        case .like(let subject, let pattern, let insensitive, let negated):
            let matched = try like(subject, pattern, caseInsensitive: insensitive, scope)
            return negated ? logic.not(matched) : matched
        case .concat(let a, let b): return try concat(a, b, scope)
        case .coalesce(let items): return logic.coalesce(try unified(items, scope, hint: hint))
        case .nullIf(let a, let b):
            let (x, y) = try pair(a, b, scope)
            let same = z3.and([z3.not(y.isNull), try equal(x, y)])
            return logic.value(x.type, x.term, null: z3.or([x.isNull, same]), from: [x, y])
        case .caseWhen(let subject, let branches, let otherwise):
            return try caseWhen(subject, branches, otherwise, scope, hint: hint)
        case .call(let name, let args): return try call(name, args, scope, hint: hint)
        case .contextValue(let name): return contextValue(name, scope)
        case .scalarSelect(let inner): return try translate(inner, scope, hint: hint)
        case .opaque(let key, let what, let isBool, let calls):
            return opaque(key + FunctionLookup.versions(of: calls, in: scope.side.functions), what: what, type: isBool ? .bool : (hint ?? .opaque))
        }
    }

    func boolean(_ expr: Expr, _ scope: Scope) throws -> SQLValue {
        let v = try coerce(try translate(expr, scope, hint: .bool), to: .bool)
        guard v.type == .bool else { throw Unreadable(construct: "a non-boolean operand of AND/OR/NOT") }
        return v
    }

    /// Two operands given one type: an untyped literal or opaque value takes the other's type.
    func pair(_ a: Expr, _ b: Expr, _ scope: Scope) throws -> (SQLValue, SQLValue) {
        let values = try unified([a, b], scope, hint: nil)
        return (values[0], values[1])
    }

    /// Several values of one type (IN lists, COALESCE, CASE results): what has a type of its own is read
    /// first (columns, casts), then calls (a builtin the solver does not know takes the type it meets), then
    /// untyped literals and opaque values.
    func unified(_ items: [Expr], _ scope: Scope, hint: SQLType?) throws -> [SQLValue] {
        var values: [SQLValue?] = Array(repeating: nil, count: items.count)
        var type = hint
        for level in 0...2 {
            for (i, item) in items.enumerated() where Translator.typingLevel(item) == level {
                let v = try translate(item, scope, hint: level == 2 ? (type ?? .text) : type)
                values[i] = v
                if type == nil || type == .unknown || type == .opaque && v.type != .unknown { type = v.type }
            }
        }
        let target = Translator.common(values.compactMap { $0?.type })
        return try values.map { try coerce($0!, to: target) }
    }

    /// 0: has a type of its own; 1: a call; 2: takes the type of what it meets.
    static func typingLevel(_ expr: Expr) -> Int {
        if isFlexible(expr) { return 2 }
        switch expr {
        case .call: return 1
        case .scalarSelect(let inner): return typingLevel(inner)
        default: return 0
        }
    }

    /// Literals and opaque values take their type from what they meet.
    static func isFlexible(_ expr: Expr) -> Bool {
        switch expr {
        case .literal(.string), .literal(.null), .opaque(_, _, false, _), .raise: return true
        case .scalarSelect(let inner): return isFlexible(inner)
        default: return false
        }
    }

    static func common(_ types: [SQLType]) -> SQLType {
        let known = types.filter { $0 != .unknown }
        if known.isEmpty { return .text }
        if Set(known).count == 1 { return known[0] }
        if Set(known).isSubset(of: [.text, .uuid]) { return .text }
        return known[0]
    }
}
