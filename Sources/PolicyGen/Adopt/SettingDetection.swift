import Foundation

/// The setting that carries the tenant today: the `current_setting('…')` the existing policies compare with
/// the tenant column (or the tenants table's key), else the one functions taking a tenant id write with
/// `set_config`. Keeping the same name lets the application's existing setter keep working during the move.
public enum SettingDetection {
    public struct Result: Sendable, Equatable {
        public var setting: String?
        /// Every setting an existing policy reads (the tenant's, admin switches, …).
        public var readByPolicies: [String]
    }

    /// `scopeColumns`: table → the column its rows are scoped by (the tenant column, or the tenants table's key).
    public static func detect(_ database: ExistingDatabase, scopeColumns: [String: String], tenantType: TenantType) -> Result {
        var read: [String] = [], counts: [String: Int] = [:]
        for policy in database.policies {
            for expression in [policy.using, policy.check].compactMap({ $0 }) {
                guard let settings = PolicySettings(expression) else { continue }
                read += settings.read.filter { !read.contains($0) }
                guard let column = scopeColumns[policy.table] else { continue }
                for comparison in settings.comparisons where comparison.column == column { counts[comparison.setting, default: 0] += 1 }
            }
        }
        if let best = mostCommon(counts) { return Result(setting: best, readByPolicies: read) }
        // No policy names it: the setting written by functions that take a tenant id.
        var written: [String: Int] = [:]
        for function in database.functions where argumentTypes(function.signature).contains(tenantType.rawValue) {
            for write in SettingWrites.read(function.body ?? "") { written[write.setting, default: 0] += 1 }
        }
        return Result(setting: mostCommon(written), readByPolicies: read)
    }

    static func mostCommon(_ counts: [String: Int]) -> String? {
        counts.keys.sorted().max { counts[$0]! < counts[$1]! }
    }

    /// `public.f(uuid, text)` → `["uuid", "text"]`.
    static func argumentTypes(_ signature: String) -> [String] {
        guard let open = signature.firstIndex(of: "("), signature.hasSuffix(")") else { return [] }
        return signature[signature.index(after: open)..<signature.index(before: signature.endIndex)]
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
