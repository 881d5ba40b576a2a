import Foundation
import Reporting

/// The audit's output formats: text for people, JSON (a documented contract), SARIF 2.1.0 for code scanning,
/// JUnit for CI, Markdown for pull requests. All pure and deterministic.
public enum AuditFormat: String, CaseIterable, Sendable {
    case text, json, sarif, junit, markdown
}

public enum AuditReport {
    public static func render(_ findings: [Finding], format: AuditFormat, threshold: Severity, toolVersion: String = "0.1.0") -> String {
        switch format {
        case .text: return text(findings, threshold: threshold)
        case .json: return json(findings, threshold: threshold)
        case .sarif: return sarif(findings, version: toolVersion)
        case .junit: return junit(findings, threshold: threshold)
        case .markdown: return markdown(findings, threshold: threshold)
        }
    }

    static func text(_ findings: [Finding], threshold: Severity) -> String {
        var out = ""
        for f in findings {
            out += "\(f.location.description): \(f.severity.rawValue)\(f.baselined ? " (baselined)" : ""): [\(f.ruleId) \(f.ruleName)] \(f.message)\n"
            if let fix = f.fix { out += "    fix: \(fix)\n" }
        }
        let failing = Auditor.failing(findings, threshold: threshold).count
        out += "\(findings.count) finding(s), \(failing) at or above \(threshold.rawValue)\n"
        return out
    }

    /// Through the one JSON writer; findings hold only strings and integers, which it always encodes.
    static func encode<T: Encodable>(_ value: T) -> String {
        (try? JSONWriter.render(value)) ?? "{}\n"
    }

    static func json(_ findings: [Finding], threshold: Severity) -> String { encode(AuditJSON(findings, threshold: threshold)) }

    static func sarif(_ findings: [Finding], version: String) -> String { encode(SARIFReport(findings, toolVersion: version)) }

    /// One test case per rule: failing with its findings at or above the threshold, passing otherwise.
    static func junit(_ findings: [Finding], threshold: Severity) -> String {
        let failing = Auditor.failing(findings, threshold: threshold)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tenantwall audit\" tests=\"\(RuleRegistry.all.count)\" failures=\"\(Set(failing.map(\.ruleId)).count)\">\n"
        out += "  <testsuite name=\"tenantwall audit\" tests=\"\(RuleRegistry.all.count)\" failures=\"\(Set(failing.map(\.ruleId)).count)\">\n"
        for rule in RuleRegistry.all {
            let mine = failing.filter { $0.ruleId == rule.id }
            out += "    <testcase classname=\"tenantwall.audit\" name=\"\(rule.id) \(rule.name)\""
            if mine.isEmpty { out += "/>\n"; continue }
            out += ">\n      <failure message=\"\(Escape.xml("\(mine.count) finding(s): \(rule.title)"))\">"
            out += Escape.xml(mine.map { "\($0.location.description): \($0.message)" }.joined(separator: "\n"))
            out += "</failure>\n    </testcase>\n"
        }
        return out + "  </testsuite>\n</testsuites>\n"
    }

    static func markdown(_ findings: [Finding], threshold: Severity) -> String {
        let failing = Auditor.failing(findings, threshold: threshold)
        var out = "## tenantwall audit: " + (failing.isEmpty ? "no findings at or above \(threshold.rawValue)" : "\(failing.count) finding(s) at or above \(threshold.rawValue)") + "\n\n"
        guard !findings.isEmpty else { return out }
        out += "| severity | rule | where | finding |\n| --- | --- | --- | --- |\n"
        for f in findings {
            out += "| \(f.severity.rawValue)\(f.baselined ? " (baselined)" : "") | `\(f.ruleId)` \(f.ruleName) | \(Escape.markdownCell(f.location.description)) | \(Escape.markdownCell(f.message)) |\n"
        }
        return out
    }
}
