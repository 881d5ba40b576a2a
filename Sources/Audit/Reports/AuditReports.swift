import Foundation

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

    static func encode(_ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// `{"version":1,"threshold":…,"summary":{…},"findings":[{"rule","name","severity","title","message","fix","location":{…},"baselined"}]}`
    static func json(_ findings: [Finding], threshold: Severity) -> String {
        let list: [[String: Any]] = findings.map { f in
            var location: [String: Any] = [:]
            if let file = f.location.file { location = ["file": file, "line": f.location.line ?? 1, "column": f.location.column ?? 1] }
            else { location = ["kind": f.location.objectKind ?? "", "object": f.location.object ?? ""] }
            var item: [String: Any] = ["rule": f.ruleId, "name": f.ruleName, "severity": f.severity.rawValue, "title": f.title,
                                       "message": f.message, "location": location, "baselined": f.baselined]
            if let fix = f.fix { item["fix"] = fix }
            return item
        }
        let counts = Dictionary(grouping: findings, by: \.severity.rawValue).mapValues(\.count)
        return encode(["version": 1, "threshold": threshold.rawValue,
                       "summary": ["error": counts["error"] ?? 0, "warning": counts["warning"] ?? 0, "info": counts["info"] ?? 0,
                                   "failing": Auditor.failing(findings, threshold: threshold).count],
                       "findings": list] as [String: Any])
    }

    static func sarifLevel(_ s: Severity) -> String { s == .error ? "error" : s == .warning ? "warning" : "note" }

    static func sarif(_ findings: [Finding], version: String) -> String {
        let rules: [[String: Any]] = RuleRegistry.all.map { r in
            ["id": r.id, "name": r.name, "shortDescription": ["text": r.title], "fullDescription": ["text": r.explanation],
             "help": ["text": r.explanation], "defaultConfiguration": ["level": sarifLevel(r.severity)]]
        }
        let ids = RuleRegistry.all.map(\.id)
        let results: [[String: Any]] = findings.map { f in
            var result: [String: Any] = ["ruleId": f.ruleId, "ruleIndex": ids.firstIndex(of: f.ruleId) ?? 0, "level": sarifLevel(f.severity),
                                         "message": ["text": f.message + (f.fix.map { " Fix: \($0)" } ?? "")],
                                         "partialFingerprints": ["tenantwallFingerprint/v1": f.fingerprint]]
            if let file = f.location.file {
                result["locations"] = [["physicalLocation": ["artifactLocation": ["uri": file],
                                                             "region": ["startLine": f.location.line ?? 1, "startColumn": f.location.column ?? 1]]]]
            } else {
                result["locations"] = [["logicalLocations": [["name": f.location.object ?? "", "kind": f.location.objectKind ?? "object"]]]]
            }
            if f.baselined { result["baselineState"] = "unchanged" }
            return result
        }
        return encode(["$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
                       "runs": [["tool": ["driver": ["name": "tenantwall", "version": version, "informationUri": "https://github.com/tenantwall/tenantwall",
                                                     "rules": rules]],
                                 "results": results]]] as [String: Any])
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// One test case per rule: failing with its findings at or above the threshold, passing otherwise.
    static func junit(_ findings: [Finding], threshold: Severity) -> String {
        let failing = Auditor.failing(findings, threshold: threshold)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tenantwall audit\" tests=\"\(RuleRegistry.all.count)\" failures=\"\(Set(failing.map(\.ruleId)).count)\">\n"
        out += "  <testsuite name=\"tenantwall audit\" tests=\"\(RuleRegistry.all.count)\" failures=\"\(Set(failing.map(\.ruleId)).count)\">\n"
        for rule in RuleRegistry.all {
            let mine = failing.filter { $0.ruleId == rule.id }
            out += "    <testcase classname=\"tenantwall.audit\" name=\"\(rule.id) \(rule.name)\""
            if mine.isEmpty { out += "/>\n"; continue }
            out += ">\n      <failure message=\"\(xml("\(mine.count) finding(s): \(rule.title)"))\">"
            out += xml(mine.map { "\($0.location.description): \($0.message)" }.joined(separator: "\n"))
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
            let cell = { (s: String) in s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "<", with: "&lt;") }
            out += "| \(f.severity.rawValue)\(f.baselined ? " (baselined)" : "") | `\(f.ruleId)` \(f.ruleName) | \(cell(f.location.description)) | \(cell(f.message)) |\n"
        }
        return out
    }
}
