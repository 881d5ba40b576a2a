import Foundation
import Identity
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// `tenantwall bench`: builds the dataset (from the user's spec or the built-in one) in a scratch database,
/// measures every workload in every mode, checks the plans, and drops the scratch database and the benchmark's
/// roles (unless kept).
public struct Bench {
    public var rows = 1_000_000
    public var tenants = 100
    public var runner = BenchRunner.Settings()
    public var keep = false
    public var maxOverhead: Double?
    /// Only these workloads (by name); empty for all the spec supports.
    public var only: [String] = []
    let conninfo: String
    let spec: Spec?
    let specLabel: String
    let progress: (String) -> Void

    /// `spec` nil runs the built-in dataset.
    public init(conninfo: String, spec: Spec? = nil, specLabel: String = "built-in", progress: @escaping (String) -> Void = { _ in }) {
        self.conninfo = conninfo
        self.spec = spec
        self.specLabel = spec == nil ? "built-in" : specLabel
        self.progress = progress
    }

    public func run() throws -> (report: BenchReport, scratch: String?) {
        let started = Date()
        let renamed = BenchSpec.renamingRoles(try spec ?? SpecLoader.load([("built-in bench spec", BenchSpec.builtIn)]))
        // Before anything is created: asked only for workloads this spec cannot support, there is nothing to run.
        let supported = BenchTargets(spec: renamed).workloads().workloads.map(\.name)
            + (BenchTargets(spec: renamed).series?.table.hypertable != nil ? HypertableWorkloads.names : [])
        if !only.isEmpty && !only.contains(where: supported.contains) {
            throw ToolError("bench: this spec supports none of the workloads asked for (\(only.joined(separator: ", "))); it supports \(supported.joined(separator: ", "))")
        }
        // The scratch database and the benchmark's roles go however the run ends (Ctrl-C and a cancelled CI job
        // included), unless kept; a role another kept bench database still uses stays.
        let roles = BenchSpec.roles(of: renamed)
        let database = try ScratchDatabase.empty(on: conninfo, prefix: "tenantwall_bench") { admin in
            for role in roles { _ = try? admin.execute("DROP ROLE IF EXISTS \(SQL.ident(role))") }
        }
        let name = database.name, scratch = database.conninfo
        var keepIt = keep
        defer { if keepIt { database.keep() } else { database.drop() } }
        do {
            let db = try Connection(scratch)
            let capabilities = ServerCapabilities(connection: db)
            let (adaptedSpec, adapted) = try BenchSpec.adapting(renamed, available: capabilities.available)
            let (spec, compressions) = BenchSpec.rlsForm(adaptedSpec)
            adapted.forEach(progress)
            var notes = adapted
            var dataset = BenchDataset(spec: spec, rows: rows, tenants: tenants)
            if self.spec == nil { dataset.extraSQL = BenchSpec.builtInExtra }
            let loaded = try dataset.create(on: db, progress: progress)
            var (all, skipped) = dataset.targets.workloads()
            notes += skipped
            let samples = try dataset.samples(on: db)
            guard let largest = samples.first else { throw ToolError("bench: the dataset has no tenant rows to measure") }
            var walledSetup = dataset.targets.series.flatMap { s in
                // The walled form where the spec asks for it (compression), or where its workloads are asked for.
                compressions[s.table.qualifiedName] != nil && only.isEmpty || only.contains(where: HypertableWorkloads.names.contains)
                    ? WalledSetup(spec: spec, series: s, compression: compressions[s.table.qualifiedName]) : nil
            }
            var walled = try walledSetup?.build(on: db, progress: progress)
            if let walledSetup { all += try walledSetup.workloads(on: db, tenants: samples) }
            let workloads = only.isEmpty ? all : all.filter { only.contains($0.name) }
            for wanted in only where !all.contains(where: { $0.name == wanted }) {
                notes.append("workload \(wanted) asked for, but this spec does not support it")
            }
            let version = try db.query("SELECT current_setting('server_version')").scalar ?? "?"
            progress("checking plans …")
            // The signed binding: a key of the benchmark's own, and a token per tenant.
            var secret: [UInt8]?
            if spec.tenancy.binding == .signed {
                var generator = SystemRandomNumberGenerator()
                let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try SigningKeys.rotate(db, spec: spec, secret: key, id: "tw-bench", overlap: 0)
                if BenchRunner.Mode.measured(for: spec.tenancy).contains(.inline) {
                    try SigningKeys.rotate(db, spec: dataset.inlineSpec, secret: key, id: "tw-bench", overlap: 0)
                }
                secret = key
            }
            let binding = try BenchBinding(tenancy: spec.tenancy, tenants: samples.map(\.tenant), secret: secret)
            let checks = try PlanComparer.check(workloads, conninfo: scratch, tenant: largest.tenant, key: largest.keys.first ?? "", binding: binding)
            let runner = BenchRunner(conninfo: scratch, settings: self.runner, tenants: samples, tenancy: spec.tenancy, binding: binding, progress: progress)
            let results = BenchReport.build(samples: try runner.run(workloads), workloads: workloads)
            if let w = walled {
                walled?.formChecks = FormPlanChecks.check(checks, tenantColumn: spec.tenancy.column, chunksInWindow: w.chunksInWindow, chunksTotal: w.totalChunks)
            }
            let failures = self.failures(checks: checks, formChecks: walled?.formChecks ?? [], results: results, workloads: workloads)
            let report = BenchReport(startedAt: ISO8601DateFormatter().string(from: started), durationSeconds: Date().timeIntervalSince(started),
                                     serverVersion: version, spec: specLabel, rows: loaded.map(\.rows).reduce(0, +), tenants: tenants,
                                     tables: loaded.map { BenchReport.LoadedTable(table: $0.table, rows: $0.rows) },
                                     largestTenantRows: largest.rows, clients: runner.settings.clients, secondsPerRun: runner.settings.seconds,
                                     rounds: runner.settings.rounds, workloads: results, planChecks: checks, maxOverheadPercent: maxOverhead,
                                     failures: failures, notes: notes, walled: walled)
            return (report, keep ? name : nil)
        } catch {
            keepIt = false
            throw error
        }
    }

    /// Why the run fails: a tenantwall form's plan that differs from its baseline's (not explained by PostgreSQL),
    /// a walled plan without chunk exclusion or segment filter, overhead above `--max-overhead`.
    func failures(checks: [PlanCheck], formChecks: [FormPlanCheck], results: [BenchReport.WorkloadResult], workloads: [Workload]) -> [String] {
        var failures = checks.filter(\.failed).filter(\.mode.isTenantwallForm).map {
            "plan check failed for \($0.workload)\($0.mode == .generated ? "" : " (\($0.mode.rawValue))"): \($0.differences.joined(separator: "; "))"
        }
        failures += formChecks.filter { !$0.passed }.map { "plan check failed for \($0.workload) (\($0.mode.rawValue)): \($0.problems.joined(separator: "; "))" }
        guard let maxOverhead else { return failures }
        for result in results where workloads.first(where: { $0.name == result.workload })?.limitation == nil {
            for mode in [BenchRunner.Mode.generated, .walled, .compressed] {
                // Server CPU when it was measured: throughput on a shared machine is too noisy to gate on.
                guard let m = result.mode(mode), let overhead = m.cpuOverheadPercent ?? m.overheadPercent, overhead > maxOverhead else { continue }
                let measure = m.cpuOverheadPercent != nil ? "server CPU" : "throughput"
                failures.append("\(result.workload)\(mode == .generated ? "" : " (\(mode.rawValue))"): \(measure) overhead \(String(format: "%.1f", overhead))% exceeds --max-overhead \(maxOverhead)%")
            }
        }
        return failures
    }

}
