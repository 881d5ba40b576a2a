/// TW116: SECURITY DEFINER without a pinned search_path runs the caller's objects with the owner's rights.
public struct DefinerSearchPath: AuditRule {
    public let id = "TW116", name = "security-definer-search-path", severity = Severity.error
    public let title = "SECURITY DEFINER function without a pinned search_path"
    public let explanation = "A caller can put a schema of its own first in search_path and have the function run its operators and functions as the owner."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.functions ?? []).filter { f in
            guard f.securityDefiner else { return false }
            guard let path = f.config.first(where: { $0.hasPrefix("search_path=") }) else { return true }
            // pg_temp must be named last, or it is searched first.
            return !path.hasSuffix("pg_temp") && !path.hasSuffix("pg_temp\"")
        }.map {
            finding("\($0.qualified)(\($0.signature)) is SECURITY DEFINER without search_path pinned (pg_temp last)", at: .object("function", "\($0.qualified)(\($0.signature))"),
                    fix: "ALTER FUNCTION \(Fix.table($0.qualified))(\($0.signature)) SET search_path = pg_catalog, pg_temp;")
        }
    }
}
