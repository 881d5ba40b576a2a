import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

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
    /// Differences the check does not count, reported so that nobody mistakes "same" for "identical": how
    /// TimescaleDB's ChunkAppend excluded chunks (at executor startup or at run time, once the InitPlan's
    /// tenant is known) when the chunks that ran are the same.
    public var ignored: [String] = []
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
        /// Per ChunkAppend node: when it excluded chunks and how many, which the node list does not compare.
        public var exclusion: [String] = []
    }

    /// The comparable shape of an `EXPLAIN (ANALYZE, FORMAT JSON)` plan: every node that ran, with its relation,
    /// index, and whether it used an index condition or a filter. Partition pruning shows as which partitions
    /// were scanned, whether pruned when planning (custom plan) or when executing (generic plan, where the
    /// pruned scans never run); plain `Append` and `Result` nodes, which only carry that difference, are left out.
    /// Citus 13.0.5 writes each task's "Remote Plan" in EXPLAIN's text format inside the JSON, unquoted: the
    /// block is turned into a JSON string before parsing.
    static func quotingRemotePlans(_ json: String) -> String {
        guard json.contains("\"Remote Plan\": [") else { return json }
        var out = "", rest = Substring(json)
        while let start = rest.range(of: "\"Remote Plan\": [") {
            out += rest[..<start.lowerBound]
            let body = rest[start.upperBound...]
            // JSON already (a plain EXPLAIN): leave it; text (EXPLAIN EXECUTE of a prepared statement): quote it.
            if let next = body.first(where: { !$0.isWhitespace }), next == "[" || next == "{" {
                out += rest[start]
                rest = body
                continue
            }
            // The block ends at the first line holding only "]".
            guard let end = body.range(of: #"\n\s*\]"#, options: .regularExpression) else { return json }
            let text = String(body[..<end.lowerBound])
            let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
            out += "\"Remote Plan\": " + String(decoding: data, as: UTF8.self).dropFirst().dropLast()
            rest = body[end.upperBound...]
        }
        return out + rest
    }

    /// The nodes of a plan in EXPLAIN's text format (a Citus task's remote plan), as `shape` names them.
    static func textNodes(_ text: String) -> [String] {
        var nodes: [String] = []
        for raw in text.split(separator: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("->") { line = line.dropFirst(2).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("Index Cond:"), !nodes.isEmpty { nodes[nodes.count - 1] += " (index condition)"; continue }
            if line.hasPrefix("Filter:"), !nodes.isEmpty { nodes[nodes.count - 1] += " (filter)"; continue }
            guard let first = line.first, first.isLetter, !line.contains(":") || line.contains("(actual") else { continue }
            let name = line.components(separatedBy: " (actual").first?.components(separatedBy: "  (cost").first ?? line
            if name.hasPrefix("Result") { continue }
            nodes.append(name)
        }
        return nodes
    }

    public static func shape(_ json: String) -> Shape {
        let json = quotingRemotePlans(json)
        guard let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]], let plan = root.first?["Plan"] as? [String: Any] else {
            return Shape(nodes: ["unparsable plan"], buffers: 0, workers: 0)
        }
        var nodes: [String] = []
        var exclusion: [String] = []
        var workers = 0
        var initPlanBuffers = 0
        func blocks(_ node: [String: Any]) -> Int { (node["Shared Hit Blocks"] as? Int ?? 0) + (node["Shared Read Blocks"] as? Int ?? 0) }
        func walk(_ node: [String: Any]) {
            let relationship = node["Parent Relationship"] as? String
            // The context's InitPlan is the binding's own work (a signed binding reads its keys): not the plan's.
            if relationship == "InitPlan" { initPlanBuffers += blocks(node); return }
            if relationship == "SubPlan" { return }
            if (node["Actual Loops"] as? Int) == 0 { return }  // pruned while executing, never ran
            let type = node["Node Type"] as? String ?? "?"
            if type == "Append" || type == "Result" {
                for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
                return
            }
            var text = type
            if let provider = node["Custom Plan Provider"] as? String {
                text += " (\(provider))"
                // ChunkAppend prunes chunks that cannot match: the chunks it ran are in `nodes`; how is noted.
                if provider == "ChunkAppend" {
                    let startup = node["Chunks excluded during startup"] as? Int, runtime = node["Chunks excluded during runtime"] as? Int
                    exclusion.append("\(node["Relation Name"] as? String ?? "?"): startup exclusion \(node["Startup Exclusion"] as? Bool == true ? "on" : "off")"
                                     + (startup.map { " (\($0) excluded)" } ?? "") + ", runtime exclusion \(node["Runtime Exclusion"] as? Bool == true ? "on" : "off")"
                                     + (runtime.map { " (\($0) excluded)" } ?? ""))
                }
            }
            // Citus: how many shards the statement ran on, then the plan the (first) task ran on its worker. A
            // tenant-scoped statement that fans out to every shard differs from the baseline's one task here.
            if let job = (node["Distributed Query"] as? [String: Any])?["Job"] as? [String: Any] {
                text += " [tasks: \(job["Task Count"] as? Int ?? -1)]"
                nodes.append(text)
                let task = (job["Tasks"] as? [[String: Any]])?.first
                if let text = task?["Remote Plan"] as? String { nodes += textNodes(text); return }
                let remote = task?["Remote Plan"] as? [Any]
                let first = (remote?.first as? [Any])?.first ?? remote?.first
                if let plan = (first as? [String: Any])?["Plan"] as? [String: Any] { walk(plan) }
                return
            }
            if let relation = node["Relation Name"] as? String { text += " on " + relation }
            if let index = node["Index Name"] as? String { text += " using " + index }
            if node["Index Cond"] != nil { text += " (index condition)" }
            if node["Filter"] != nil { text += " (filter)" }
            if let planned = node["Workers Planned"] as? Int { workers += planned }
            nodes.append(text)
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        walk(plan)
        return Shape(nodes: nodes, buffers: blocks(plan) - initPlanBuffers, workers: workers, exclusion: exclusion)
    }

    /// What differs but is not counted: chunk exclusion that happened at another stage with the same chunks run.
    public static func ignoredDifferences(baseline: String, candidate: String) -> [String] {
        let a = shape(baseline), b = shape(candidate)
        guard a.nodes == b.nodes, a.exclusion != b.exclusion else { return [] }
        return ["ChunkAppend excluded chunks differently, with the same chunks run: baseline [\(a.exclusion.joined(separator: "; "))] vs [\(b.exclusion.joined(separator: "; "))]"
                + " (under RLS the tenant is an InitPlan parameter, known only at run time)"]
    }

    /// The same relations scanned the same way (index, index condition or filter), whatever the nodes above
    /// them: a walled view's plan differs from its baseline's above the scans only.
    public static func sameScans(_ baseline: String, _ candidate: String) -> Bool {
        func scans(_ plan: String) -> [String] { shape(plan).nodes.filter { $0.contains("Scan on ") }.sorted() }
        return scans(baseline) == scans(candidate)
    }

    public static func differences(baseline: String, candidate: String, compareBuffers: Bool) -> [String] {
        let a = shape(baseline), b = shape(candidate)
        var out: [String] = []
        if a.nodes == ["unparsable plan"] || b.nodes == ["unparsable plan"] { return ["a plan could not be read: nothing to compare"] }
        if a.nodes != b.nodes { out.append("plan nodes differ: baseline [\(a.nodes.joined(separator: " → "))] vs [\(b.nodes.joined(separator: " → "))]") }
        if a.workers != b.workers { out.append("parallel workers planned differ: \(a.workers) vs \(b.workers)") }
        if compareBuffers && a.buffers != b.buffers { out.append("shared buffers differ: \(a.buffers) vs \(b.buffers)") }
        return out
    }

    /// Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) for every workload as the baseline and each RLS mode,
    /// for the largest tenant, inside transactions that are rolled back.
    ///
    /// Each side is explained as the prepared statement the workload runs, after enough executions for
    /// PostgreSQL to settle on a custom or generic plan, as it does in the measured runs. Under RLS the tenant
    /// comes from an InitPlan the planner cannot see into, so it plans for an average tenant; the baseline's
    /// custom plan may know this tenant is large and choose differently. When the RLS plan is exactly the
    /// baseline's generic plan, the difference is that estimate, reported as a PostgreSQL limitation with the
    /// remedy, not a failure of the policies.
    public static func check(_ workloads: [Workload], conninfo: String, tenant: String, key: String, binding: BenchBinding) throws -> [PlanCheck] {
        let connection = try Connection(conninfo)
        func explain(_ workload: Workload, _ mode: BenchRunner.Mode, generic: Bool = false) throws -> String {
            let sql = workload.sql(for: mode)
            let parameters = workload.parameters(mode, tenant: tenant, key: workload.keys[tenant]?.first ?? key, n: 0)
            let arguments = parameters.map { $0.map(SQL.literal) ?? "NULL" }
            let execute = "EXECUTE tw_plan_check" + (arguments.isEmpty ? "" : "(" + arguments.joined(separator: ", ") + ")")
            var plan = ""
            for _ in 0..<2 {  // the second run, with a warm cache, is the one compared
                try connection.execute("BEGIN")
                defer {
                    _ = try? connection.execute("ROLLBACK")
                    _ = try? connection.execute("DEALLOCATE tw_plan_check")  // prepared statements outlive a rollback
                }
                try connection.execute("SET LOCAL ROLE \(SQL.ident(mode.role)); SET LOCAL plan_cache_mode = \(generic ? "force_generic_plan" : "auto")")
                if let bind = binding.bind(mode, tenant: tenant, local: true) { try connection.query(bind.sql, bind.arguments) }
                try connection.execute("PREPARE tw_plan_check AS " + sql)
                // Five custom plans first, as for any prepared statement; the sixth may be generic.
                if !generic { for _ in 0..<6 { try connection.execute(execute) } }
                // One row usually; Citus returns the JSON a line per row.
                plan = try connection.query("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + execute).rows.map { $0[0] ?? "" }.joined(separator: "\n")
            }
            return plan
        }
        func rows(_ workload: Workload, _ mode: BenchRunner.Mode) throws -> [String] {
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("SET LOCAL ROLE \(SQL.ident(mode.role))")
            if let bind = binding.bind(mode, tenant: tenant, local: true) { try connection.query(bind.sql, bind.arguments) }
            let result = try connection.query(workload.sql(for: mode), workload.parameters(mode, tenant: tenant, key: workload.keys[tenant]?.first ?? key, n: 0))
            return result.rows.map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }.sorted()
        }
        var out: [PlanCheck] = []
        for workload in workloads where workload.kind != .endToEnd {
            // Every form returns the baseline's rows (the walled copies hold the same rows); each is compared
            // with the plan of its own baseline, on the same storage.
            let baselineRows = workload.kind == .read ? try rows(workload, .baseline) : []
            var baselines: [BenchRunner.Mode: String] = [:], genericBaseline: String?
            for mode in workload.modes ?? BenchRunner.Mode.measured(for: binding.tenancy) where !mode.isBaseline {
                if baselines[mode.reference] == nil { baselines[mode.reference] = try explain(workload, mode.reference) }
                let baseline = baselines[mode.reference]!, candidate = try explain(workload, mode)
                var differences = Self.differences(baseline: baseline, candidate: candidate, compareBuffers: workload.kind == .read)
                var limitation: String?
                if !differences.isEmpty && mode.isTenantwallForm {
                    if genericBaseline == nil || mode.reference != .baseline { genericBaseline = try explain(workload, mode.reference, generic: true) }
                    let asGeneric = Self.differences(baseline: genericBaseline!, candidate: candidate, compareBuffers: false).isEmpty
                    limitation = workload.limitation ?? (asGeneric ? Workload.estimateLimitation : nil)
                        ?? (mode.reference != .baseline && Self.sameScans(baseline, candidate) ? Workload.securityBarrierLimitation : nil)
                }
                let sameRows = try workload.kind != .read || rows(workload, mode) == baselineRows
                if !sameRows { differences.append("returned rows differ from the baseline's") }
                out.append(PlanCheck(workload: workload.name, mode: mode, passed: differences.isEmpty, sameRows: sameRows, differences: differences,
                                     limitation: limitation, ignored: Self.ignoredDifferences(baseline: baseline, candidate: candidate),
                                     baselinePlan: baseline, candidatePlan: candidate))
            }
        }
        return out
    }
}
