import Foundation
import PolicyGen
import Postgres

/// `tenantwall bench`: builds the dataset in a scratch database, measures every workload in every mode,
/// checks the plans, and drops the scratch database (unless kept).
public struct Bench {
    public var rows = 1_000_000
    public var tenants = 100
    public var runner = BenchRunner.Settings()
    public var keep = false
    public var maxOverhead: Double?
    public var workloads: [Workload] = Workload.all + [Workload.endToEnd]
    let conninfo: String
    let progress: (String) -> Void

    public init(conninfo: String, progress: @escaping (String) -> Void = { _ in }) {
        self.conninfo = conninfo
        self.progress = progress
    }

    public func run() throws -> (report: BenchReport, scratch: String?) {
        let started = Date()
        let admin = try Connection(conninfo)
        let name = "tenantwall_bench_\(UUID().uuidString.prefix(8).lowercased())"
        try admin.execute("CREATE DATABASE \(SQL.ident(name))")
        let scratch = ConnectionString.with(conninfo, [("dbname", name)])
        var keepIt = keep
        defer {
            if !keepIt {
                _ = try? admin.execute("DROP DATABASE IF EXISTS \(SQL.ident(name)) WITH (FORCE)")
                // The roles are the cluster's; they go too unless another kept bench database still uses them.
                for role in ["tw_bench_app", "tw_bench_admin", "tw_bench_naive", "tw_bench_base", "tw_bench_owner"] {
                    _ = try? admin.execute("DROP ROLE IF EXISTS \(SQL.ident(role))")
                }
            }
        }
        do {
            let db = try Connection(scratch)
            let dataset = BenchDataset(rows: rows, tenants: tenants)
            progress("loading \(rows) rows for \(tenants) tenants into \(name) …")
            try dataset.create(on: db)
            let sizes = try dataset.tenantSizes(on: db)
            let samples = try db.query("""
                SELECT tenant_id::text, (array_agg(id ORDER BY id))[1:200]::text FROM public.items GROUP BY 1
                """).rows.map { row -> (String, [Int]) in
                    let ids = (row[1] ?? "{}").dropFirst().dropLast().split(separator: ",").compactMap { Int($0) }
                    return (row[0] ?? "", ids)
                }
            let version = try db.query("SELECT current_setting('server_version')").scalar ?? "?"
            let largest = sizes.first ?? (BenchDataset.tenantId(0), 0)
            let largestItem = samples.first { $0.0 == largest.id }?.1.first ?? 1
            let checks = try PlanComparer.check(workloads, conninfo: scratch, tenant: largest.id, item: largestItem, setting: "app.current_tenant_id")
            let runner = BenchRunner(conninfo: scratch, settings: self.runner, tenants: samples.map { (id: $0.0, items: $0.1) },
                                     setting: "app.current_tenant_id", progress: progress)
            let results = BenchReport.build(samples: try runner.run(workloads), workloads: workloads)
            var failures = checks.filter(\.failed).filter { $0.mode == .generated }.map { "plan check failed for \($0.workload): \($0.differences.joined(separator: "; "))" }
            if let maxOverhead {
                for result in results {
                    if let overhead = result.mode(.generated)?.overheadPercent, overhead > maxOverhead,
                       !(workloads.first { $0.name == result.workload }?.limitation != nil) {
                        failures.append("\(result.workload): overhead \(String(format: "%.1f", overhead))% exceeds --max-overhead \(maxOverhead)%")
                    }
                }
            }
            let report = BenchReport(startedAt: ISO8601DateFormatter().string(from: started), durationSeconds: Date().timeIntervalSince(started),
                                     serverVersion: version, rows: rows, tenants: tenants, largestTenantItems: largest.items,
                                     clients: runner.settings.clients, secondsPerRun: runner.settings.seconds, rounds: runner.settings.rounds,
                                     workloads: results, planChecks: checks, maxOverheadPercent: maxOverhead, failures: failures)
            return (report, keep ? name : nil)
        } catch {
            keepIt = false
            throw error
        }
    }
}
