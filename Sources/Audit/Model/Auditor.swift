import Foundation
import Yams

/// Per-project audit settings, from a YAML file (`--config`):
///
///     rules:
///       TW204: off          # disable a rule
///       TW104: error        # change its severity
///     app_roles: [app_user] # roles the application uses (default: the spec's, or inferred)
///     tenant_column: tenant_id
///     tenant_columns: {public.notes: user_id}   # tables isolated by another column
public struct AuditConfig: Sendable {
    public var disabled: Set<String> = []
    public var severities: [String: Severity] = [:]
    public var appRoles: [String] = []
    public var tenantColumn: String?
    public var tenantColumns: [String: String] = [:]

    public init() {}

    public init(yaml text: String, file: String) throws {
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { return }
        for key in root.keys where !["rules", "app_roles", "tenant_column", "tenant_columns"].contains(key) {
            throw AuditConfigError("\(file): unknown key '\(key)' (rules, app_roles, tenant_column, tenant_columns)")
        }
        for (id, value) in root["rules"] as? [String: Any] ?? [:] {
            guard let rule = RuleRegistry.rule(id) else { throw AuditConfigError("\(file): unknown rule '\(id)'") }
            let setting = "\(value)".lowercased()
            if ["off", "false", "disabled"].contains(setting) { disabled.insert(rule.id) }
            else if let severity = Severity(rawValue: setting) { severities[rule.id] = severity }
            else { throw AuditConfigError("\(file): rule \(id) takes off, info, warning or error, not '\(setting)'") }
        }
        appRoles = root["app_roles"] as? [String] ?? []
        tenantColumn = root["tenant_column"] as? String
        tenantColumns = root["tenant_columns"] as? [String: String] ?? [:]
    }
}

public struct AuditConfigError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Runs the rules and applies what the project decided: disabled rules, severity overrides, inline
/// suppressions (with reasons) in migration files, and the baseline of accepted findings.
public enum Auditor {
    public static func run(_ input: AuditInput, config: AuditConfig = AuditConfig(), baseline: Set<String> = []) -> [Finding] {
        var findings: [Finding] = []
        for rule in RuleRegistry.all where !config.disabled.contains(rule.id) {
            for var finding in rule.check(input) {
                if let severity = config.severities[rule.id] { finding.severity = severity }
                if suppressed(finding, input) { continue }
                finding.baselined = baseline.contains(finding.fingerprint)
                findings.append(finding)
            }
        }
        return sorted(findings)
    }

    public static func sorted(_ findings: [Finding]) -> [Finding] {
        findings.sorted { ($0.location.description, $0.ruleId, $0.message) < ($1.location.description, $1.ruleId, $1.message) }
    }

    /// Findings found elsewhere (catalog rules attributed to migration statements) under the same decisions:
    /// inline suppressions of `input`'s migrations and the baseline.
    public static func accept(_ extra: [Finding], _ input: AuditInput, baseline: Set<String> = []) -> [Finding] {
        extra.filter { !suppressed($0, input) }.map { var f = $0; f.baselined = baseline.contains(f.fingerprint); return f }
    }

    /// A `-- tenantwall:allow ID reason: …` on the statement's line or the three lines above it.
    static func suppressed(_ finding: Finding, _ input: AuditInput) -> Bool {
        guard finding.ruleId != "TW500", let file = finding.location.file, let line = finding.location.line,
              let migration = input.migrations.first(where: { $0.path == file }) else { return false }
        return migration.suppressions.contains { s in
            (s.ruleId == finding.ruleId || s.ruleId == finding.ruleName) && !s.reason.isEmpty && (line - 3...line).contains(s.line)
        }
    }

    /// Findings at or above `threshold` that the baseline does not accept.
    public static func failing(_ findings: [Finding], threshold: Severity) -> [Finding] {
        findings.filter { $0.severity >= threshold && !$0.baselined }
    }

    /// The baseline file: the fingerprints of accepted findings.
    public static func baselineJSON(_ findings: [Finding]) -> String {
        let list = Array(Set(findings.map(\.fingerprint))).sorted()
        let data = try? JSONSerialization.data(withJSONObject: ["version": 1, "findings": list], options: [.prettyPrinted, .sortedKeys])
        return data.flatMap { String(data: $0, encoding: .utf8) }.map { $0 + "\n" } ?? "{}\n"
    }

    public static func parseBaseline(_ data: Data) throws -> Set<String> {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any], let list = root["findings"] as? [String] else {
            throw AuditConfigError("the baseline file is not a tenantwall audit baseline ({\"version\": 1, \"findings\": [...]})")
        }
        return Set(list)
    }
}
