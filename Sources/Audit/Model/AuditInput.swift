import Foundation
import Migrations
import PolicyGen
import SQLParser

/// What an audit looks at: any of a live catalog, a spec, and pending migration files.
public struct AuditInput: Sendable {
    public var catalog: AuditCatalog? { didSet { semanticBox = SemanticJudgement.Box() } }
    public var spec: Spec? { didSet { semanticBox = SemanticJudgement.Box() } }
    public var migrations: [ParsedMigration]
    /// Differences between the spec and the live database, when both were given.
    public var drift: [Plan.Difference]
    /// The roles the application uses: from the spec, or `--app-role`, or inferred from the catalog.
    public var appRoles: Set<String> { didSet { semanticBox = SemanticJudgement.Box() } }
    public var tenantColumn: String { didSet { semanticBox = SemanticJudgement.Box() } }
    /// Tables whose isolation key is another column (`public.notes` → `user_id`), by qualified name: from the
    /// spec's scoped tables and `--tenant-column schema.table=column`.
    public var tenantColumns: [String: String] { didSet { semanticBox = SemanticJudgement.Box() } }
    /// Parsed policy expressions, keyed by `table|policy`, computed once for every rule.
    public let expressions: [String: (using: PolicyExpression?, check: PolicyExpression?)]

    public init(catalog: AuditCatalog? = nil, spec: Spec? = nil, migrations: [ParsedMigration] = [], drift: [Plan.Difference] = [],
                appRoles: [String] = [], tenantColumn: String? = nil, tenantColumns: [String: String] = [:]) {
        self.catalog = catalog
        self.spec = spec
        self.migrations = migrations
        self.drift = drift
        self.tenantColumn = tenantColumn ?? spec?.tenancy.column ?? "tenant_id"
        var perTable: [String: String] = [:]
        if let spec {
            // Not the tenants table (`isolation: self`): its key is the tenant, and TW136 judges it.
            for scoped in spec.scopedTables where scoped.column != spec.tenancy.column && scoped.table.isolation != .self {
                perTable[scoped.table.qualifiedName] = scoped.column
            }
        }
        self.tenantColumns = perTable.merging(tenantColumns) { _, given in given }
        var roles = Set(appRoles)
        if roles.isEmpty, let spec { roles = Set(spec.roles.accessRoles.filter { !$0.isEmpty }) }
        if roles.isEmpty, let catalog { roles = catalog.inferredAppRoles() }
        // An owner of protected tables that can log in, is no superuser and is not the spec's owner is what the
        // application connects as: it counts as an application role (and owning unforced tables is the leak).
        // Not when every protected table it owns hides its rows from it (forced, with policies that do not name
        // it): an application connected as it would see nothing, so it runs migrations and jobs (Citus needs
        // the owner to log in for shard moves), and tenantwall's own migrations would otherwise report it.
        if appRoles.isEmpty, let catalog {
            let tenantColumn = self.tenantColumn
            let owners = Set(catalog.protectedTables(tenantColumn: tenantColumn).filter(catalog.ownerReadsRows).map(\.owner))
            for role in catalog.roles where owners.contains(role.name) && role.canLogin && !role.superuser && role.name != spec?.roles.owner {
                roles.insert(role.name)
            }
        }
        self.appRoles = roles
        var expressions: [String: (using: PolicyExpression?, check: PolicyExpression?)] = [:]
        // Policies repeat their predicates (a generator writes the same one on every table): parse each text once.
        var parsed: [String: PolicyExpression?] = [:]
        func parse(_ text: String?) -> PolicyExpression? {
            guard let text else { return nil }
            if let known = parsed[text] { return known }
            let expression = PolicyExpression(text)
            parsed[text] = expression
            return expression
        }
        for policy in catalog?.policies ?? [] {
            expressions[policy.table + "|" + policy.name] = (parse(policy.using), parse(policy.check))
        }
        self.expressions = expressions
    }

    /// Reset when a rule-relevant field changes, so a copy never reads another input's verdicts.
    private var semanticBox = SemanticJudgement.Box()

    public var protectedTables: [AuditCatalog.Table] { catalog?.protectedTables(tenantColumn: tenantColumn) ?? [] }

    /// Protected tables that hold their tenant column: where predicates must separate tenants.
    public var tenantTables: [AuditCatalog.Table] { protectedTables.filter { $0.columns.contains(tenantColumn(for: $0.qualified)) } }

    /// The column that isolates a table's rows: its own (`tenantColumns`) or the tenant column.
    public func tenantColumn(for table: String) -> String { tenantColumns[table] ?? tenantColumn }

    /// What the solver concluded about every effective predicate: computed once, on first use, for every rule.
    public var semantic: SemanticJudgement { semanticBox.value(self) }

    public func isApp(_ role: String) -> Bool { appRoles.contains(role) }

    /// Policies with their parsed expressions.
    public var parsedPolicies: [(policy: AuditCatalog.Policy, using: PolicyExpression?, check: PolicyExpression?)] {
        (catalog?.policies ?? []).map { p in
            let e = expressions[p.table + "|" + p.name]
            return (p, e?.using ?? nil, e?.check ?? nil)
        }
    }
}

/// A migration file with its statements parsed, and the suppressions written in it.
public struct ParsedMigration: Sendable {
    public var file: MigrationFile
    public var path: String
    public var statements: [SQLParser.Statement]
    public var suppressions: [Suppression]

    public init(file: MigrationFile, path: String) throws {
        self.file = file
        self.path = path
        statements = try file.statements()
        suppressions = Suppression.parse(file.text)
    }
}

/// `-- tenantwall:allow TW501 reason: the table is empty here` on the line above a statement (or on its line)
/// suppresses that rule for that statement. A reason is required.
public struct Suppression: Sendable, Equatable {
    public var ruleId: String
    public var line: Int
    public var reason: String

    static func parse(_ text: String) -> [Suppression] {
        var out: [Suppression] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let range = raw.range(of: "tenantwall:allow ") else { continue }
            let rest = raw[range.upperBound...]
            let id = String(rest.prefix { !$0.isWhitespace })
            var reason = ""
            if let r = rest.range(of: "reason:") { reason = String(rest[r.upperBound...]).trimmingCharacters(in: .whitespaces) }
            out.append(Suppression(ruleId: id, line: index + 1, reason: reason))
        }
        return out
    }
}
