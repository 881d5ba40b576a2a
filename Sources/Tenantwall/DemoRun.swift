import PolicyGen
import Postgres

/// One example model in the demo: apply, re-plan (must be empty), probe.
public struct DemoRun {
    public struct Report {
        public var lines: [String] = []
        public var failures = 0
    }

    let connection: Connection
    let specPath: String

    public init(connection: Connection, specPath: String) {
        self.connection = connection
        self.specPath = specPath
    }

    public func run() throws -> Report {
        var report = Report()
        var spec = try SpecFiles.load([specPath])
        spec = try ServerCapabilities(connection: connection).adapt(spec, notes: &report.lines)
        let database = LiveDatabase(connection: connection)
        let applied = try database.apply(spec)
        report.lines.append("applied \(applied.statements.count) statements (\(applied.differences.count) objects)")
        let again = try database.plan(spec)
        report.lines.append(again.isEmpty ? "second plan: in sync (idempotent)" : "second plan: \(again.differences.count) differences: \(again.differences.map(\.object).joined(separator: ", "))")
        if !again.isEmpty { report.failures += 1 }
        for result in try IsolationProbe(spec: spec, connection: connection).run() {
            report.lines.append("\(result.passed ? "pass" : "FAIL")  \(result.table): \(result.check) (\(result.detail))")
            if !result.passed { report.failures += 1 }
        }
        return report
    }
}

/// What the server can install, so the demo and tests can say what they leave out instead of failing.
public struct ServerCapabilities {
    let connection: Connection

    public init(connection: Connection) { self.connection = connection }

    public func available(_ extensionName: String) throws -> Bool {
        try connection.query("SELECT count(*) FROM pg_catalog.pg_available_extensions WHERE name = $1", [extensionName]).scalar == "1"
    }

    /// Drops hypertables when TimescaleDB is absent and inlines helpers when the extension is not installed.
    public func adapt(_ spec: Spec, notes: inout [String]) throws -> Spec {
        var spec = spec
        if spec.tables.contains(where: { $0.hypertable != nil }), try !available("timescaledb") {
            let names = spec.tables.filter { $0.hypertable != nil }.map(\.qualifiedName)
            notes.append("TimescaleDB is not available on this server: \(names.joined(separator: ", ")) created as plain tables (hypertable SQL is covered by the golden files)")
            spec.tables = spec.tables.map { var t = $0; t.hypertable = nil; return t }
        }
        if spec.tenancy.helpers == .extension, try !available("tenantwall") {
            notes.append("the tenantwall extension is not installed on this server (make -C sql install): helpers inlined instead")
            spec.tenancy.helpers = .inline
        }
        return spec
    }
}
