/// Types for functions the side does not list (`desk.current_tenant_id()` with no catalog): the type of a
/// column it is compared with somewhere in the check, so `f() IS NULL` and `tenant_id = f()` read one value.
extension Translator {
    func remember(_ predicate: Predicate, _ side: Side) throws {
        switch predicate {
        case .constant: return
        case .and(let parts), .or(let parts): for part in parts { try remember(part, side) }
        case .expression(let text):
            if let expr = try? ExpressionCache.shared.read(text) { seen.append((expr, side)) }
        }
        inferred = nil
    }

    func comparedTypes() -> [String: SQLType] {
        if let inferred { return inferred }
        var found: [String: SQLType] = [:]
        for (expr, side) in seen { Self.collect(expr, side, &found) }
        inferred = found
        return found
    }

    static func collect(_ expr: Expr, _ side: Side, _ found: inout [String: SQLType]) {
        if case .compare(_, let a, let b) = expr {
            for (x, y) in [(a, b), (b, a)] {
                if case .column(let name) = x, let column = side.columns.first(where: { $0.name == name }), let call = calledName(y) {
                    found[call] = found[call] ?? SQLType(column.type)
                }
            }
        }
        for child in Mirror(reflecting: expr).children { visit(child.value, side, &found) }
    }

    private static func visit(_ value: Any, _ side: Side, _ found: inout [String: SQLType]) {
        if let expr = value as? Expr { return collect(expr, side, &found) }
        for child in Mirror(reflecting: value).children { visit(child.value, side, &found) }
    }

    /// `f()` or `(SELECT f())`: the qualified name as written.
    static func calledName(_ expr: Expr) -> String? {
        switch expr {
        case .call(let name, _): return name.joined(separator: ".")
        case .scalarSelect(let inner): return calledName(inner)
        default: return nil
        }
    }
}
