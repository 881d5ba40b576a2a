/// TW117: a SECURITY DEFINER function the application (or PUBLIC) may call runs with its owner's rights.
public struct DefinerExecutableByApp: AuditRule {
    public let id = "TW117", name = "security-definer-executable", severity = Severity.warning
    public let title = "SECURITY DEFINER function executable by application roles or PUBLIC"
    public let explanation = "It runs as its owner; if the owner bypasses RLS, every table it reads is open to the caller through it."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        (input.catalog?.functions ?? []).filter { f in f.securityDefiner && f.executors.contains { $0 == "PUBLIC" || input.isApp($0) } }.map { f in
            // The fix names every caller: after REVOKE … FROM PUBLIC, a direct grant to the application still stands.
            let callers = f.executors.filter { $0 == "PUBLIC" || input.isApp($0) }
            return finding("\(f.qualified)(\(f.signature)) is SECURITY DEFINER and executable by \(callers.joined(separator: ", "))",
                           at: .object("function", "\(f.qualified)(\(f.signature))"),
                           fix: "REVOKE EXECUTE ON FUNCTION \(Fix.table(f.qualified))(\(f.signature)) FROM \(callers.map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", "));")
        }
    }
}
