import Catalog
import Foundation

/// Finds the function a call names among a side's functions and reads what inlining needs: the body as an
/// expression, the argument names, the return type.
enum FunctionLookup {
    /// By qualified name, or by name alone when unqualified (a user schema before pg_catalog), with the
    /// call's argument count: exactly, or fewer where the last arguments have defaults.
    static func find(_ name: [String], arguments: Int, in functions: [DatabaseCatalog.Function]) -> DatabaseCatalog.Function? {
        guard let short = name.last else { return nil }
        let named = functions.filter { f in f.name == short && (name.count < 2 || f.schema == name[name.count - 2]) }
        let exact = named.filter { $0.argumentTypes.count == arguments }
        let candidates = exact.isEmpty
            ? named.filter { $0.argumentTypes.count > arguments && $0.argumentTypes.count - defaultCount($0) <= arguments }
            : exact
        return candidates.first { $0.schema != "pg_catalog" } ?? candidates.first
    }

    /// What a function is, for a key: its body, or its definition when the body is not kept (C, native, a
    /// `BEGIN ATOMIC` SQL body).
    static func version(_ function: DatabaseCatalog.Function) -> String {
        if let body = function.body, !body.isEmpty { return body }
        return function.definition ?? (function.native ? "native:" + function.identity : "")
    }

    /// The versions of every function the names may call (any argument count), for an opaque value's key.
    static func versions(of calls: [[String]], in functions: [DatabaseCatalog.Function]) -> String {
        var parts: [String] = []
        for name in calls {
            guard let short = name.last else { continue }
            for f in functions where f.name == short && (name.count < 2 || f.schema == name[name.count - 2]) {
                parts.append(f.identity + "=" + String(FNV.hash(version(f)), radix: 16))
            }
        }
        return parts.isEmpty ? "" : "|" + parts.sorted().joined(separator: ",")
    }

    /// The expression of an SQL body `SELECT <expr>` (also `RETURN <expr>` and `BEGIN ATOMIC SELECT <expr>; END`),
    /// or of a PL/pgSQL body of guards and a RETURN (not SECURITY DEFINER, whose `current_user` is its owner);
    /// nil for C, native, or any other body.
    static func inlinableBody(_ function: DatabaseCatalog.Function) -> Expr? {
        if !function.native, !function.securityDefiner, language(function) == "plpgsql", let body = function.body {
            return ExpressionCache.shared.guardBody(body)
        }
        guard !function.native, language(function) ?? "sql" == "sql" else { return nil }
        guard let body = function.body, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return standardBody(function) }
        return ExpressionCache.shared.body(body)
    }

    /// `LANGUAGE x` of the definition, lowercased; nil without a definition.
    static func language(_ function: DatabaseCatalog.Function) -> String? {
        guard let definition = function.definition,
              let range = definition.range(of: #"LANGUAGE\s+'?([A-Za-z0-9_]+)"#, options: [.regularExpression, .caseInsensitive])
        else { return nil }
        let words = definition[range].split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "'" })
        return words.last.map { $0.lowercased() }
    }

    /// `RETURNS type` of the definition.
    static func returnType(_ function: DatabaseCatalog.Function) -> SQLType? {
        guard let definition = function.definition,
              let range = definition.range(of: #"RETURNS\s+[^\n]+"#, options: [.regularExpression, .caseInsensitive])
        else { return nil }
        var text = definition[range].dropFirst("RETURNS".count).trimmingCharacters(in: .whitespaces)
        for stop in [" LANGUAGE", " STABLE", " IMMUTABLE", " VOLATILE", " SECURITY", " AS "] {
            if let cut = text.range(of: stop, options: .caseInsensitive) { text = String(text[..<cut.lowerBound]) }
        }
        return SQLType(text)
    }

    /// The argument names from `pg_get_function_identity_arguments` (`p_tenant uuid, integer`): nil where unnamed.
    static func argumentNames(_ function: DatabaseCatalog.Function) -> [String?] {
        let parts = function.signature.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return parts.enumerated().map { i, part in
            var words = part.split(separator: " ").map(String.init)
            if let mode = words.first, ["IN", "INOUT", "VARIADIC"].contains(mode.uppercased()) { words.removeFirst() }
            let type = i < function.argumentTypes.count ? function.argumentTypes[i] : nil
            let rest = words.joined(separator: " ")
            if let type, rest == type { return nil }
            if let type, rest.hasSuffix(" " + type) { return String(rest.dropLast(type.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            return words.count >= 2 ? words[0] : nil
        }
    }
}

/// Parsed expressions by text, shared by every check: a review asks about the same few policy texts and
/// function bodies many times, and parsing is the costly part.
final class ExpressionCache: @unchecked Sendable {
    static let shared = ExpressionCache()
    private let lock = NSLock()
    private var expressions: [String: Result<Expr, Unreadable>] = [:]
    private var bodies: [String: Expr?] = [:]

    func read(_ text: String) throws -> Expr {
        lock.lock()
        let cached = expressions[text]
        lock.unlock()
        if let cached { return try cached.get() }
        let result: Result<Expr, Unreadable>
        do { result = .success(try ExprReader.read(text)) } catch let error as Unreadable { result = .failure(error) } catch {
            result = .failure(Unreadable(construct: "the expression (\(error))"))
        }
        lock.lock()
        if expressions.count > 10_000 { expressions.removeAll() }
        expressions[text] = result
        lock.unlock()
        return try result.get()
    }

    /// A PL/pgSQL body of guards and a RETURN (PlpgsqlGuard), read once.
    func guardBody(_ text: String) -> Expr? {
        let key = "plpgsql:" + text
        lock.lock()
        if let cached = bodies[key] { lock.unlock(); return cached }
        lock.unlock()
        let parsed = PlpgsqlGuard.read(text)
        lock.lock()
        bodies[key] = parsed
        lock.unlock()
        return parsed
    }

    func body(_ text: String) -> Expr? {
        lock.lock()
        if let cached = bodies[text] { lock.unlock(); return cached }
        lock.unlock()
        let parsed = ExprReader.readBody(text)
        lock.lock()
        if bodies.count > 10_000 { bodies.removeAll() }
        bodies[text] = parsed
        lock.unlock()
        return parsed
    }
}
