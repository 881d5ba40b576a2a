/// `audit --format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab), as an `Encodable` value written by
/// the one JSON writer. Only the members tenantwall fills are modelled; the validation script
/// (scripts/validate-sarif.sh) checks the output against the schema.
struct SARIFReport: Encodable {
    struct Text: Encodable { var text: String }
    struct Level: Encodable { var level: String }

    struct Rule: Encodable {
        var id, name: String
        var shortDescription, fullDescription, help: Text
        var defaultConfiguration: Level
    }

    struct Driver: Encodable { var name: String; var version: String; var informationUri: String; var rules: [Rule] }
    struct Tool: Encodable { var driver: Driver }

    struct Region: Encodable { var startLine, startColumn: Int }
    struct ArtifactLocation: Encodable { var uri: String }
    struct PhysicalLocation: Encodable { var artifactLocation: ArtifactLocation; var region: Region }
    struct LogicalLocation: Encodable { var name, kind: String }
    /// A file position or a database object; one of the two is present.
    struct Location: Encodable { var physicalLocation: PhysicalLocation?; var logicalLocations: [LogicalLocation]? }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var partialFingerprints: [String: String]
        var locations: [Location]
        /// `unchanged` for a finding the baseline file accepted.
        var baselineState: String?
    }

    struct Run: Encodable { var tool: Tool; var results: [Result] }

    enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }

    var schema = "https://json.schemastore.org/sarif-2.1.0.json"
    var version = "2.1.0"
    var runs: [Run]

    static func level(_ s: Severity) -> String { s == .error ? "error" : s == .warning ? "warning" : "note" }

    init(_ findings: [Finding], toolVersion: String) {
        let rules = RuleRegistry.all.map { r in
            Rule(id: r.id, name: r.name, shortDescription: Text(text: r.title), fullDescription: Text(text: r.explanation),
                 help: Text(text: r.explanation), defaultConfiguration: Level(level: Self.level(r.severity)))
        }
        let ids = RuleRegistry.all.map(\.id)
        let results = findings.map { f in
            Result(ruleId: f.ruleId, ruleIndex: ids.firstIndex(of: f.ruleId) ?? 0, level: Self.level(f.severity),
                   message: Text(text: f.message + (f.fix.map { " Fix: \($0)" } ?? "")),
                   partialFingerprints: ["tenantwallFingerprint/v1": f.fingerprint], locations: [Self.location(f.location)],
                   baselineState: f.baselined ? "unchanged" : nil)
        }
        let driver = Driver(name: "tenantwall", version: toolVersion, informationUri: "https://github.com/tenantwall/tenantwall", rules: rules)
        runs = [Run(tool: Tool(driver: driver), results: results)]
    }

    static func location(_ l: FindingLocation) -> Location {
        if let file = l.file {
            return Location(physicalLocation: PhysicalLocation(artifactLocation: ArtifactLocation(uri: file),
                                                               region: Region(startLine: l.line ?? 1, startColumn: l.column ?? 1)))
        }
        return Location(logicalLocations: [LogicalLocation(name: l.object ?? "", kind: l.objectKind ?? "object")])
    }
}
