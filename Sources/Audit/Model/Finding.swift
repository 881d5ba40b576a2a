/// How serious a finding is; `--fail-on` compares against it.
public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    case info, warning, error

    public static func < (a: Severity, b: Severity) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Where a finding is: a line in a spec or migration file, or an object in the database.
public struct FindingLocation: Codable, Sendable, Hashable {
    public var file: String?
    public var line: Int?
    public var column: Int?
    /// For database findings: `table`, `policy`, `role`, `function`, `view`, `index`, `trigger`.
    public var objectKind: String?
    public var object: String?

    public static func file(_ path: String, line: Int, column: Int = 1) -> FindingLocation {
        FindingLocation(file: path, line: line, column: column, objectKind: nil, object: nil)
    }

    public static func object(_ kind: String, _ name: String) -> FindingLocation {
        FindingLocation(file: nil, line: nil, column: nil, objectKind: kind, object: name)
    }

    public var description: String {
        if let file { return "\(file):\(line ?? 1):\(column ?? 1)" }
        return "\(objectKind ?? "object") \(object ?? "?")"
    }
}

/// One problem a rule found.
public struct Finding: Codable, Sendable, Hashable {
    public var ruleId: String
    public var ruleName: String
    public var severity: Severity
    public var title: String
    public var message: String
    /// The fix, as SQL where it is mechanical.
    public var fix: String?
    public var location: FindingLocation
    /// True when the baseline file accepted it: reported, but not counted for `--fail-on`.
    public var baselined = false

    public init(ruleId: String, ruleName: String, severity: Severity, title: String, message: String, fix: String?, location: FindingLocation) {
        self.ruleId = ruleId
        self.ruleName = ruleName
        self.severity = severity
        self.title = title
        self.message = message
        self.fix = fix
        self.location = location
    }

    /// Identifies the finding across runs for the baseline file: rule and place, not the message text.
    public var fingerprint: String { "\(ruleId)|\(location.description)" }
}
