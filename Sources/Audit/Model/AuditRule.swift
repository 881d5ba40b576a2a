/// One audit rule: a stable id, a severity, a title, why it matters, and the check itself.
///
/// Rules are values in their own files under `Rules/`, like Squawk's or splinter's lints; the registry in
/// `RuleRegistry` lists them all, in id order.
public protocol AuditRule: Sendable {
    var id: String { get }
    /// A short kebab-case name, e.g. `rls-disabled`.
    var name: String { get }
    var severity: Severity { get }
    var title: String { get }
    /// The risk, in a sentence or two.
    var explanation: String { get }
    func check(_ input: AuditInput) -> [Finding]
}

extension AuditRule {
    public func finding(_ message: String, at location: FindingLocation, fix: String? = nil) -> Finding {
        Finding(ruleId: id, ruleName: name, severity: severity, title: title, message: message, fix: fix, location: location)
    }
}
