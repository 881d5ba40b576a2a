import Foundation
import PolicyGen
import Postgres

/// The hard pass/fail of the benchmark: under RLS, `EXPLAIN (ANALYZE, BUFFERS)` must show the plan the
/// baseline gets — the same nodes, indexes and index conditions, the same partitions pruned, the same
/// parallelism, and (for reads) the same buffers. The InitPlan that evaluates the tenant context once per
/// statement is the one node allowed to differ.
public struct PlanCheck: Codable, Sendable {
    public var workload: String
    public var mode: BenchRunner.Mode
    public var passed: Bool
    /// For reads: the candidate returned exactly the baseline's rows.
    public var sameRows: Bool
    public var differences: [String]
    /// Set when PostgreSQL itself keeps the plans apart (and the difference is therefore not a failure).
    public var limitation: String?
    public var baselinePlan: String
    public var candidatePlan: String

    /// Failed, and not explained by a PostgreSQL limitation (different rows are never explained away).
    public var failed: Bool { !sameRows || (!passed && limitation == nil) }
}

public enum PlanComparer {
    public struct Shape: Equatable {
        public var nodes: [String]
        public var buffers: Int
        public var workers: Int
    }

    /// The comparable shape of an `EXPLAIN (FORMAT JSON)` plan.
    public static func shape(_ json: String) -> Shape {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]], let plan = root.first?["Plan"] as? [String: Any] else {
            return Shape(nodes: ["unparsable plan"], buffers: 0, workers: 0)
        }
        var nodes: [String] = []
        var workers = 0
        func walk(_ node: [String: Any]) {
            let relationship = node["Parent Relationship"] as? String
            if relationship == "InitPlan" || relationship == "SubPlan" { return }
            var text = node["Node Type"] as? String ?? "?"
            if let relation = node["Relation Name"] as? String { text += " on " + relation }
            if let index = node["Index Name"] as? String { text += " using " + index }
            if node["Index Cond"] != nil { text += " (index condition)" }
            if node["Filter"] != nil { text += " (filter)" }
            if let removed = node["Subplans Removed"] as? Int, removed > 0 { text += " (\(removed) partitions pruned)" }
            if let planned = node["Workers Planned"] as? Int { workers += planned }
            nodes.append(text)
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        walk(plan)
        let buffers = (plan["Shared Hit Blocks"] as? Int ?? 0) + (plan["Shared Read Blocks"] as? Int ?? 0)
        return Shape(nodes: nodes, buffers: buffers, workers: workers)
    }

    public static func differences(baseline: String, candidate: String, compareBuffers: Bool) -> [String] {
        let a = shape(baseline), b = shape(candidate)
        var out: [String] = []
        if a.nodes != b.nodes { out.append("plan nodes differ: baseline [\(a.nodes.joined(separator: " → "))] vs [\(b.nodes.joined(separator: " → "))]") }
        if a.workers != b.workers { out.append("parallel workers planned differ: \(a.workers) vs \(b.workers)") }
        if compareBuffers && a.buffers != b.buffers { out.append("shared buffers differ: \(a.buffers) vs \(b.buffers)") }
        return out
    }

    /// Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) for every workload as the baseline and each RLS mode,
    /// for the largest tenant, inside transactions that are rolled back.
    ///
    /// Both sides are explained as the prepared statements the workloads run, with the generic plan: under
    /// RLS the tenant comes from an InitPlan the planner cannot see into, so it plans for an average tenant,
    /// as the application's own prepared `WHERE tenant_id = $1` does once its plan is generic. A custom plan
    /// for one very large tenant may legitimately differ from both.
    public static func check(_ workloads: [Workload], conninfo: String, tenant: String, key: String, setting: String) throws -> [PlanCheck] {
        let connection = try Connection(conninfo)
        func explain(_ workload: Workload, _ mode: BenchRunner.Mode) throws -> String {
            let sql = workload.sql(baseline: mode == .baseline)
            let parameters = workload.parameters(baseline: mode == .baseline, tenant: tenant, key: key, n: 0)
            let arguments = parameters.map { $0.map(SQL.literal) ?? "NULL" }
            var plan = ""
            for _ in 0..<2 {  // the second run, with a warm cache, is the one compared
                try connection.execute("BEGIN")
                defer {
                    _ = try? connection.execute("ROLLBACK")
                    _ = try? connection.execute("DEALLOCATE tw_plan_check")  // prepared statements outlive a rollback
                }
                try connection.execute("SET LOCAL ROLE \(SQL.ident(mode.role)); SET LOCAL plan_cache_mode = force_generic_plan")
                try connection.query("SELECT set_config($1, $2, true)", [setting, tenant])
                try connection.execute("PREPARE tw_plan_check AS " + sql)
                let execute = "EXECUTE tw_plan_check" + (arguments.isEmpty ? "" : "(" + arguments.joined(separator: ", ") + ")")
                plan = try connection.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + execute).scalar ?? ""
            }
            return plan
        }
        func rows(_ workload: Workload, _ mode: BenchRunner.Mode) throws -> [String] {
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("SET LOCAL ROLE \(SQL.ident(mode.role))")
            try connection.query("SELECT set_config($1, $2, true)", [setting, tenant])
            let result = try connection.query(workload.sql(baseline: mode == .baseline), workload.parameters(baseline: mode == .baseline, tenant: tenant, key: key, n: 0))
            return result.rows.map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }.sorted()
        }
        var out: [PlanCheck] = []
        for workload in workloads where workload.kind != .endToEnd {
            let baseline = try explain(workload, .baseline)
            let baselineRows = workload.kind == .read ? try rows(workload, .baseline) : []
            for mode in [BenchRunner.Mode.generated, .contrast] {
                let candidate = try explain(workload, mode)
                var differences = Self.differences(baseline: baseline, candidate: candidate, compareBuffers: workload.kind == .read)
                let sameRows = try workload.kind != .read || rows(workload, mode) == baselineRows
                if !sameRows { differences.append("returned rows differ from the baseline's") }
                out.append(PlanCheck(workload: workload.name, mode: mode, passed: differences.isEmpty, sameRows: sameRows, differences: differences,
                                     limitation: differences.isEmpty || mode == .contrast ? nil : workload.limitation,
                                     baselinePlan: baseline, candidatePlan: candidate))
            }
        }
        return out
    }
}
