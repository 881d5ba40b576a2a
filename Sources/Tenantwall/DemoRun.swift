import PolicyGen
import Postgres

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
        let generated = Generator(spec: spec).script()
        report.lines.append("generated \(generated.split(separator: "\n").count) lines of SQL (tenantwall generate --spec \(specPath))")
        let database = LiveDatabase(connection: connection)
        let applied = try database.apply(spec)
        report.lines.append("applied \(applied.statements.count) statements (\(applied.differences.count) objects)")
        let again = try database.plan(spec)
        report.lines.append(again.isEmpty ? "second plan: in sync (idempotent)" : "second plan: \(again.differences.count) differences: \(again.differences.map(\.object).joined(separator: ", "))")
        if !again.isEmpty { report.failures += 1 }
        let verified = try Verifier(spec: spec, conninfo: conninfo).run()
        var byTable: [String: (passed: Int, failed: Int)] = [:]
        for check in verified.checks { byTable[check.table, default: (0, 0)].passed += check.passed ? 1 : 0; byTable[check.table, default: (0, 0)].failed += check.passed ? 0 : 1 }
        for (table, counts) in byTable.sorted(by: { $0.key < $1.key }) {
            report.lines.append("\(counts.failed == 0 ? "pass" : "FAIL")  \(table == "-" ? "roles and context" : table): \(counts.passed) checks passed\(counts.failed > 0 ? ", \(counts.failed) failed" : "")")
        }
        for check in verified.failed {
            report.lines.append("      FAILED \(check.id) as \(check.role) (tenant \(check.tenant)): \(check.title): expected \(check.expected), got \(check.actual)")
        }
        report.failures += verified.failed.count
        let hypertables = spec.tables.filter { $0.hypertable != nil }
        if !hypertables.isEmpty, let version = try connection.query("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'timescaledb'").scalar {
            let names = Set(hypertables.map(\.qualifiedName))
            let chunkChecks = verified.checks.filter { $0.id.hasPrefix("partition-") && names.contains($0.table) }
            report.lines.append("hypertables on TimescaleDB \(version): \(hypertables.map(\.qualifiedName).joined(separator: ", ")); "
                                + "\(chunkChecks.count) checks named their chunks directly as \(Set(chunkChecks.map(\.role)).count) roles")
        }
        report.lines.append("verify: \(verified.checks.count) checks in \(verified.durationMilliseconds) ms, \(verified.failed.count) failed; all probe rows rolled back")
        return report
    }
}
