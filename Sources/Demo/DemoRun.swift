import Citus
import Deploy
import Foundation
import Identity
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import Verification

/// One example model in the demo: apply, re-plan (must be empty), probe.
public struct DemoRun {
    public struct Report {
        public var lines: [String] = []
        public var failures = 0
        /// The server cannot run this spec (an extension is missing); the lines say why.
        public var skipped = false
    }

    let conninfo: String
    let specPath: String

    public init(conninfo: String, specPath: String) {
        self.conninfo = conninfo
        self.specPath = specPath
    }

    public func run() throws -> Report {
        var report = Report()
        let connection = try Connection(conninfo)
        var spec = try SpecFiles.load([specPath])
        let capabilities = ServerCapabilities(connection: connection)
        spec = try capabilities.adapt(spec, notes: &report.lines)
        let missing = try capabilities.missing(for: spec)
        if !missing.isEmpty {
            report.lines += missing.map { "skipped: this server lacks \($0.name): \($0.remedy)" }
            report.skipped = true
            return report
        }
        let generator = Generator(spec: spec)
        let lines = (generator.script() + generator.indexScript()).split(separator: "\n").count
        report.lines.append("generated \(lines) lines of SQL (tenantwall generate --spec \(specPath))")
        let database = LiveDatabase(connection: connection)
        let applied = try database.apply(spec)
        report.lines.append("applied \(applied.statements.count + applied.indexStatements.count) statements (\(applied.differences.count) objects)")
        let again = try database.plan(spec)
        report.lines.append(again.isEmpty ? "second plan: in sync (idempotent)" : "second plan: \(again.differences.count) differences: \(again.differences.map(\.object).joined(separator: ", "))")
        if !again.isEmpty { report.failures += 1 }
        var settings = Verifier.Settings()
        switch spec.tenancy.binding {
        case .signed: report.lines += try signedDemo(spec, connection, settings: &settings)
        case .role: report.lines += try roleDemo(spec, connection)
        case .context: break
        }
        if spec.tables.contains(where: \.isWalled) || !spec.rollups.isEmpty {
            if spec.tenancy.binding == .context {
                let ids = [ProbeValues.tenant(30, type: spec.tenancy.type), ProbeValues.tenant(31, type: spec.tenancy.type)]
                try DerivedDataDemo(spec: spec, connection: connection, tenants: ids).run(into: &report)
            } else {
                report.lines.append("derived data: shown with the context binding only; verify below still tries every wall")
            }
        }
        let verified = try Verifier(spec: spec, conninfo: conninfo, settings: settings).run()
        var byTable: [String: (passed: Int, failed: Int)] = [:]
        for check in verified.checks { byTable[check.table, default: (0, 0)].passed += check.passed ? 1 : 0; byTable[check.table, default: (0, 0)].failed += check.passed ? 0 : 1 }
        for (table, counts) in byTable.sorted(by: { $0.key < $1.key }) {
            report.lines.append("\(counts.failed == 0 ? "pass" : "FAIL")  \(table == "-" ? "roles and context" : table): \(counts.passed) checks passed\(counts.failed > 0 ? ", \(counts.failed) failed" : "")")
        }
        for check in verified.failed {
            report.lines.append("      FAILED \(check.id) as \(check.role) (tenant \(check.tenant)): \(check.title): expected \(check.expected), got \(check.actual)")
        }
        for check in verified.notProbed {
            report.lines.append("      NOT PROBED \(check.table): \(check.actual)")
        }
        report.failures += verified.failed.count + verified.notProbed.count
        let hypertables = spec.tables.filter { $0.hypertable != nil }
        if !hypertables.isEmpty, let version = try connection.query("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'").scalar {
            let names = Set(hypertables.map(\.qualifiedName))
            let chunkChecks = verified.checks.filter { $0.id.hasPrefix("partition-") && names.contains($0.table) }
            report.lines.append("hypertables on TimescaleDB \(version): \(hypertables.map(\.qualifiedName).joined(separator: ", ")); "
                                + "\(chunkChecks.count) checks named their chunks directly as \(Set(chunkChecks.map(\.role)).count) roles")
        }
        let probes = spec.tenancy.citus ? "the probe tenants' rows removed" : "all probe rows rolled back"
        report.lines.append("verify: \(verified.checks.count) checks in \(verified.durationMilliseconds) ms, \(verified.failed.count) failed; \(probes)")
        if spec.tenancy.citus { try citusDemo(spec, connection, into: &report) }
        return report
    }

    /// Citus: where each distributed table's shards live and whether every placement carries its walls, then
    /// what the fan-out guard does with a tenant's statement that names its tenant and with one that does not.
    /// A placement without its walls, or a guard that does not do what the spec says, is a failure.
    func citusDemo(_ spec: Spec, _ connection: Connection, into report: inout Report) throws {
        for table in try CitusPlacements.distributedTables(connection, spec: spec) {
            let name = SQL.qualified(table.schema, table.name)
            let shards = try connection.query("SELECT count(*)::text AS shards, count(DISTINCT nodename)::text AS nodes FROM citus_shards WHERE table_name = $1::regclass", [name]).named.first
            let state = try CitusPlacements.state(connection, table: name)
            report.lines.append("distributed \(table.qualifiedName): \(shards?["shards"] ?? "?") shards on \(shards?["nodes"] ?? "?") workers; \(state)")
            if state != CitusPlacements.consistent { report.failures += 1 }
        }
        guard let outcome = try FanOutGuard.tryStatements(connection, spec: spec) else { return }
        report.lines.append("fan_out: \(spec.tenancy.fanOut.rawValue): in a tenant's transaction, a count on \(outcome.table) naming its tenant: \(outcome.routed) (one shard); "
                            + "the same without the tenant: \(outcome.fannedOut == "ok" ? "ran on every shard" + (outcome.warnings.isEmpty ? "" : ", with a WARNING") : "refused (\(outcome.fannedOut))")")
        let refused = outcome.fannedOut != "ok", warned = !outcome.warnings.isEmpty
        let expected = (refused: spec.tenancy.fanOut == .error, warned: spec.tenancy.fanOut == .warning)
        if outcome.routed != "ok" || refused != expected.refused || warned != expected.warned { report.failures += 1 }
    }

    /// Two demo tenants in the spec's tenants table (its other required columns get their names).
    func addTenants(_ spec: Spec, _ connection: Connection, _ ids: [String]) throws -> Table {
        guard let tenants = spec.tables.first(where: { $0.isolation == .self }) else { throw ToolError("the demo needs a tenants table (isolation: self)") }
        let required = tenants.columns.filter { $0.notNull && $0.defaultValue == nil && $0.name != tenants.scopeColumn(tenancy: spec.tenancy) }
        let provisioning = Provisioning(spec: spec, connection: connection)
        for (n, id) in ids.enumerated() {
            try provisioning.add(id: id, values: Dictionary(uniqueKeysWithValues: required.map { ($0.name, "demo tenant \(n + 1)") }))
        }
        return tenants
    }

    /// The signed binding: a demo secret (new each run), a token minted for one tenant, and the same token with
    /// another tenant pasted into its claim. Verify then mints its probe tokens with the same secret.
    func signedDemo(_ spec: Spec, _ connection: Connection, settings: inout Verifier.Settings) throws -> [String] {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try SigningKeys.rotate(connection, spec: spec, secret: secret, id: "demo", overlap: 0)
        settings.secret = secret
        let ids = [ProbeValues.tenant(20, type: spec.tenancy.type), ProbeValues.tenant(21, type: spec.tenancy.type)]
        let tenants = try addTenants(spec, connection, ids)
        let numeric = spec.tenancy.type.isNumeric
        func token(_ id: String) throws -> String {
            try JWT.sign(JWT.claims(path: spec.tenancy.claim, value: JWT.claimValue(id, numeric: numeric), expires: Date().addingTimeInterval(300)), secret: secret)
        }
        let honest = try token(ids[0])
        let parts = honest.split(separator: ".").map(String.init)
        let forged = parts[0] + "." + (try token(ids[1])).split(separator: ".")[1] + "." + parts[2]
        func visible(_ token: String) throws -> String {
            try connection.execute("BEGIN; SET LOCAL ROLE \(SQL.ident(spec.roles.app))")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.query("SELECT \(SQL.qualified(spec.tenancy.helperSchema, "set_tenant_context"))($1)", [token])
            return try connection.query("SELECT count(*)::text FROM \(SQL.qualified(tenants.schema, tenants.name))").scalar ?? "?"
        }
        return ["signed binding: a key from a demo secret (tenantwall tenant rotate-secret); a token for tenant \(ids[0]) "
                + "(tenantwall tenant token) sees \(try visible(honest)) of 2 rows in \(tenants.qualifiedName); the same token with "
                + "tenant \(ids[1]) pasted into its '\(spec.tenancy.claim)' claim sees \(try visible(forged))"]
    }

    /// The role binding: two tenants added as login roles (`tenantwall tenant add`); one logs in, sees its own
    /// row, and cannot SET ROLE to the other.
    func roleDemo(_ spec: Spec, _ connection: Connection) throws -> [String] {
        let ids = [ProbeValues.tenant(20, type: spec.tenancy.type), ProbeValues.tenant(21, type: spec.tenancy.type)]
        let tenants = try addTenants(spec, connection, ids)
        let provisioning = Provisioning(spec: spec, connection: connection)
        let login = try Connection(ConnectionString.with(conninfo, [("user", provisioning.tenantRole(ids[0]))]))
        let seen = try login.query("SELECT count(*)::text FROM \(SQL.qualified(tenants.schema, tenants.name))").scalar ?? "?"
        var other = "allowed (a hole)"
        do { try login.execute("SET ROLE \(SQL.ident(provisioning.tenantRole(ids[1])))") } catch let error as PostgresError { other = "refused (\(error.sqlState ?? "?"))" }
        return ["role binding: tenants \(ids.joined(separator: " and ")) added as login roles (tenantwall tenant add); "
                + "\(provisioning.tenantRole(ids[0])) logs in and sees \(seen) of 2 rows in \(tenants.qualifiedName); SET ROLE to the other: \(other)"]
    }
}
