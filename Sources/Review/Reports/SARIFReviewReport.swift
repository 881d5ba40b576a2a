import Reporting

/// `review --format sarif`: SARIF 2.1.0 for code scanning, in the shape `audit --format sarif` writes (one
/// rule per class; a result per change, located at the object it is about). Widenings are errors, unknowns
/// warnings, the rest notes.
public enum SARIFReviewReport {
    struct Text: Encodable { var text: String }
    struct Level: Encodable { var level: String }
    struct Rule: Encodable {
        var id, name: String
        var shortDescription, fullDescription, help: Text
        var defaultConfiguration: Level
    }
    struct Driver: Encodable { var name, version, informationUri: String; var rules: [Rule] }
    struct Tool: Encodable { var driver: Driver }
    struct LogicalLocation: Encodable { var name, kind: String }
    struct Location: Encodable { var logicalLocations: [LogicalLocation] }
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var partialFingerprints: [String: String]
        var locations: [Location]
    }
    struct Run: Encodable { var tool: Tool; var results: [Result] }
    struct Log: Encodable {
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]
    }

    /// Rule ids are stable: `TWR001` widening … `TWR006` equivalent.
    static let classes = ReviewChange.Class.allCases
    static func ruleId(_ kind: ReviewChange.Class) -> String { "TWR00\((classes.firstIndex(of: kind) ?? 0) + 1)" }

    static let explanations: [ReviewChange.Class: String] = [
        .widening: "A role can reach a row, a column or a command that it could not reach before the change.",
        .unknown: "The review could not decide whether this change widens access; it is treated as a widening.",
        .narrowing: "A role reaches less after the change.",
        .removed: "An object was dropped: what it gave access to is gone.",
        .added: "A new object whose access stays inside the tenant wall.",
        .equivalent: "The text changed and the access did not.",
    ]

    static func level(_ kind: ReviewChange.Class) -> String {
        kind == .widening ? "error" : kind == .unknown ? "warning" : "note"
    }

    public static func render(_ summary: ReviewSummary, toolVersion: String) throws -> String {
        let rules = classes.map { kind in
            Rule(id: ruleId(kind), name: kind.rawValue, shortDescription: Text(text: "Access \(kind.rawValue)"),
                 fullDescription: Text(text: explanations[kind] ?? ""), help: Text(text: explanations[kind] ?? ""),
                 defaultConfiguration: Level(level: level(kind)))
        }
        let results = summary.changes.map { change in
            let column = (change.column.map { " (column \($0))" } ?? "") + (change.clause.map { " \($0)" } ?? "")
            var message = "\(change.kind.rawValue): \(change.role) \(change.command) on \(change.object)\(column): \(change.base) → \(change.head)"
            if !change.reason.isEmpty { message += ". " + change.reason }
            if let witness = change.witness { message += "\nWitness:\n" + witness }
            let key = [change.kind.rawValue, change.role, change.object, change.command, change.column ?? "", change.clause ?? "", change.head].joined(separator: "\u{1F}")
            let fingerprint = fnv1a(key)
            return Result(ruleId: ruleId(change.kind), ruleIndex: classes.firstIndex(of: change.kind) ?? 0, level: level(change.kind),
                          message: Text(text: message), partialFingerprints: ["tenantwallReview/v1": fingerprint],
                          locations: [Location(logicalLocations: [LogicalLocation(name: change.object, kind: "table")])])
        }
        let driver = Driver(name: "tenantwall", version: toolVersion, informationUri: "https://github.com/tenantwall/tenantwall", rules: rules)
        return try JSONWriter.render(Log(runs: [Run(tool: Tool(driver: driver), results: results)]))
    }

    /// A stable 64-bit FNV-1a hash in hex: code scanning matches results across runs by it.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
