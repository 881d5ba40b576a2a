import Foundation

/// What `tenantwall init` tells its caller: the tables by isolation, the roles, the setters, and every
/// question, as lines for a terminal (stderr) or as JSON (`--format json`, stdout, keys in snake case) for a
/// pipeline.
public struct InitSummary: Encodable, Sendable {
    public struct TenancyPart: Encodable, Sendable { public var column, type, setting: String }
    public struct TablePart: Encodable, Sendable { public var table, isolation: String }
    public struct RolesPart: Encodable, Sendable {
        public var owner, app: String
        public var readonly: [String]
        public var adminCandidate: String?
        public var ownerAccess: String
        public var ownerReaders: [String]
    }
    public struct FunctionPart: Encodable, Sendable { public var function, action: String }
    public struct QuestionPart: Encodable, Sendable { public var at, question: String }

    public var file: String
    public var tenancy: TenancyPart
    public var tables: [TablePart]
    public var roles: RolesPart
    public var legacyFunctions: [FunctionPart]
    public var questions: [QuestionPart]
    /// What `tenantwall check` says about the written file (`file:line:col: error: …`); empty when it passes.
    public var checkErrors: [String] = []

    public init(_ draft: SpecDraft, file: String) {
        self.file = file
        tenancy = TenancyPart(column: draft.tenancy.column, type: draft.tenancy.type.rawValue, setting: draft.tenancy.setting)
        tables = draft.tables.map { TablePart(table: $0.table.qualifiedName, isolation: $0.table.isolation.rawValue) }
        roles = RolesPart(owner: draft.roles.owner, app: draft.roles.app, readonly: draft.roles.readonly, adminCandidate: draft.adminCandidate,
                          ownerAccess: draft.roles.ownerAccess.rawValue, ownerReaders: draft.ownerReaders)
        legacyFunctions = draft.legacyFunctions.map { FunctionPart(function: $0.function.signature, action: $0.function.action.rawValue) }
        questions = draft.questions.map { QuestionPart(at: $0.at, question: $0.question) }
    }

    /// Lines for a person at a terminal.
    public var text: String {
        var lines = ["wrote \(file)"]
        func row(_ label: String, _ value: String) { lines.append("  " + label.padding(toLength: 9, withPad: " ", startingAt: 0) + " " + value) }
        row("tenancy", "\(tenancy.column) \(tenancy.type), setting \(tenancy.setting)")
        for isolation in Isolation.allCases {
            let names = tables.filter { $0.isolation == isolation.rawValue }.map(\.table)
            if !names.isEmpty { row(isolation.rawValue, names.joined(separator: ", ")) }
        }
        var roleText = "owner \(roles.owner), app \(roles.app)"
        if !roles.readonly.isEmpty { roleText += ", readonly \(roles.readonly.joined(separator: ", "))" }
        if roles.ownerAccess == "all" { roleText += "; owner_access: all (\(roles.ownerReaders.joined(separator: ", ")))" }
        row("roles", roleText)
        if !legacyFunctions.isEmpty { row("setters", legacyFunctions.map { "\($0.function): \($0.action)" }.joined(separator: ", ")) }
        if !checkErrors.isEmpty {
            lines.append("the spec does not pass tenantwall check yet:")
            lines += checkErrors.map { "  " + $0 }
        }
        if questions.isEmpty {
            lines.append("no questions: tenantwall check --spec \(directory)")
        } else {
            lines.append("\(questions.count) question\(questions.count == 1 ? "" : "s") (each a # QUESTION in the file):")
            lines += questions.map { "  \($0.at): \($0.question)" }
            lines.append("answer them in the file, then: tenantwall check --spec \(directory)")
        }
        return lines.joined(separator: "\n")
    }

    var directory: String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return String(file[..<slash])
    }
}
