import PolicyGen

extension Spec {
    /// Whether verify's no-context probes must see the loud error of `tenancy.missing_context: error`: for a
    /// missing or empty context (a malformed one still fails with 22P02), as every role a tenant policy applies
    /// to except the admin role, which the raising function exempts (admin mode has no tenant).
    func loudWithoutContext(_ role: String, _ context: String) -> Bool {
        tenancy.missingContext == .error && (context == "none" || context == "empty") && role != roles.admin
    }
}
