/// `audit --format json`, a documented contract (docs/audit.md):
/// `{"version":1,"threshold":…,"summary":{…},"findings":[{"rule","name","severity","title","message","fix","location":{…},"baselined"}]}`.
/// A value written by the one JSON writer, so that a message quoting SQL is escaped like any other string.
struct AuditJSON: Encodable {
    struct Summary: Encodable { var error, warning, info, failing: Int }

    /// A file position (`file`, `line`, `column`) or a database object (`kind`, `object`); absent keys are left out.
    struct Location: Encodable {
        var file: String?
        var line: Int?
        var column: Int?
        var kind: String?
        var object: String?

        init(_ location: FindingLocation) {
            if let file = location.file {
                self.file = file
                line = location.line ?? 1
                column = location.column ?? 1
            } else {
                kind = location.objectKind ?? ""
                object = location.object ?? ""
            }
        }
    }

    struct Item: Encodable {
        var rule, name, severity, title, message: String
        var fix: String?
        var location: Location
        var baselined: Bool
    }

    var version = 1
    var threshold: String
    var summary: Summary
    var findings: [Item]

    init(_ findings: [Finding], threshold: Severity) {
        let counts = Dictionary(grouping: findings, by: \.severity).mapValues(\.count)
        self.threshold = threshold.rawValue
        summary = Summary(error: counts[.error] ?? 0, warning: counts[.warning] ?? 0, info: counts[.info] ?? 0,
                          failing: Auditor.failing(findings, threshold: threshold).count)
        self.findings = findings.map { f in
            Item(rule: f.ruleId, name: f.ruleName, severity: f.severity.rawValue, title: f.title, message: f.message, fix: f.fix,
                 location: Location(f.location), baselined: f.baselined)
        }
    }
}
