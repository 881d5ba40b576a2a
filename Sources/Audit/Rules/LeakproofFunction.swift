/// TW118: user functions marked LEAKPROOF may run before policies and leak values through errors.
public struct LeakproofFunction: AuditRule {
    public let id = "TW118", name = "leakproof-function", severity = Severity.warning
    public let title = "user function marked LEAKPROOF"
    public let explanation = "The planner may evaluate LEAKPROOF functions before the policy filters rows; one that raises or logs its argument leaks other tenants' values."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.functions ?? []).filter(\.leakproof).map {
            finding("\($0.qualified)(\($0.signature)) is marked LEAKPROOF", at: .object("function", "\($0.qualified)(\($0.signature))"),
                    fix: "ALTER FUNCTION \(Fix.table($0.qualified))(\($0.signature)) NOT LEAKPROOF;")
        }
    }
}
