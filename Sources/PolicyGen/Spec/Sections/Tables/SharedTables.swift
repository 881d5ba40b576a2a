/// `isolation: shared` tables: readable by every tenant, written only by the admin role in admin mode (a
/// tenant that could write one would change every tenant's data). This file owns that rule's diagnostic; the
/// default grants (everyone reads) are in `DefaultGrants`.
extension Table {
    /// Anything but SELECT for a role other than the admin.
    func sharedWriteProblem(_ commands: [Command]) -> String? {
        guard commands.contains(where: { $0 != .select }) else { return nil }
        return "'\(qualifiedName)' is \(isolation.rawValue): only the admin role may write to it (in admin mode)"
    }
}
