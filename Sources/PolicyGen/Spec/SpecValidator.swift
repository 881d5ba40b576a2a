/// Semantic checks on a loaded spec: the things YAML cannot express, each reported at its line.
///
/// Each section checks itself (`Sections/`); this runs them in a fixed order — tenancy, roles, each table,
/// legacy functions, rollups — so the diagnostics come out in the same order every time.
public enum SpecValidator {
    /// PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the server, so they are refused.
    public static let maxIdentifierBytes = 63
    static let intervalUnits = ["second", "minute", "hour", "day", "week", "month", "year"]

    public static func validate(_ spec: Spec) -> [Diagnostic] {
        var checks = SpecChecks(spec: spec)
        spec.tenancy.check(&checks)
        spec.roles.check(&checks)
        Table.check(spec.tables, &checks)
        LegacyFunction.check(spec.legacyFunctions, &checks)
        Rollup.check(spec.rollups, &checks)
        AuditTrail.check(spec, &checks)
        return checks.diagnostics
    }

    /// Lower-case letters, digits and `_`, not starting with a digit: a name that needs no quoting.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return name.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// `prefix.name` (ASCII words, at least one dot), as PostgreSQL accepts for a custom setting.
    static func isCustomSetting(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, name.utf8.count <= maxIdentifierBytes else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first.isLetter || first == "_" else { return false }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }

    /// `N unit[s]`, e.g. `1 day`, `90 days`, `1 month`.
    public static func parseInterval(_ text: String) -> (count: Int, unit: String)? {
        let parts = text.lowercased().split(separator: " ")
        guard parts.count == 2, let count = Int(parts[0]), count > 0 else { return nil }
        var unit = String(parts[1])
        if unit.hasSuffix("s") { unit.removeLast() }
        return intervalUnits.contains(unit) ? (count, unit) : nil
    }
}
