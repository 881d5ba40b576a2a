import Foundation

/// Reads the plans the plan checks already took (`EXPLAIN (ANALYZE, BUFFERS)` of each tenantwall form) for what
/// the walled design needs of them: how many chunks ran against the window's, and whether each compressed chunk
/// that ran had the tenant filter in its own scan (a segment filter) rather than above the decompression.
public enum FormPlanChecks {
    /// The chunks a plan ran (scans of `_hyper_*` chunks, or decompressions of them) and its scans of compressed
    /// chunks with how each applied the tenant column.
    public static func chunks(_ json: String, tenantColumn: String) -> (chunks: Set<String>, compressed: [String]) {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String: Any]], let plan = root.first?["Plan"] as? [String: Any] else {
            return ([], [])
        }
        var chunks = Set<String>(), compressed: [String] = []
        func mentions(_ key: String, _ node: [String: Any]) -> Bool { (node[key] as? String)?.contains(tenantColumn) == true }
        func walk(_ node: [String: Any]) {
            if node["Parent Relationship"] as? String == "InitPlan" || (node["Actual Loops"] as? Int) == 0 { return }
            if let relation = node["Relation Name"] as? String {
                if relation.hasPrefix("compress_hyper_") {
                    let how = mentions("Index Cond", node) ? "index condition" : mentions("Filter", node) ? "filter" : "none"
                    compressed.append("\(relation): \(how)")
                } else if relation.hasPrefix("_hyper_") {
                    chunks.insert(relation)
                }
            }
            for child in node["Plans"] as? [[String: Any]] ?? [] { walk(child) }
        }
        walk(plan)
        return (chunks, compressed)
    }

    /// One check per tenantwall form of every hypertable workload.
    static func check(_ planChecks: [PlanCheck], tenantColumn: String, chunksInWindow: Int, chunksTotal: Int) -> [FormPlanCheck] {
        planChecks.filter { HypertableWorkloads.names.contains($0.workload) && $0.mode.isTenantwallForm }.map {
            check(workload: $0.workload, mode: $0.mode, plan: $0.candidatePlan, tenantColumn: tenantColumn, chunksInWindow: chunksInWindow, chunksTotal: chunksTotal)
        }
    }

    /// The check of one plan (`EXPLAIN (ANALYZE, FORMAT JSON)`) of `mode`.
    public static func check(workload: String, mode: BenchRunner.Mode, plan: String, tenantColumn: String, chunksInWindow: Int, chunksTotal: Int) -> FormPlanCheck {
        let (ran, compressed) = chunks(plan, tenantColumn: tenantColumn)
        var problems: [String] = []
        if ran.count > chunksInWindow { problems.append("ran \(ran.count) chunks, more than the \(chunksInWindow) the window overlaps: chunk exclusion failed") }
        if mode == .compressed {
            if compressed.isEmpty { problems.append("no compressed chunk was scanned: the window is not compressed") }
            for scan in compressed where scan.hasSuffix(": none") {
                problems.append("\(scan.dropLast(6)): the tenant is not a segment filter on the compressed chunk (filtered after decompression)")
            }
        } else if !compressed.isEmpty {
            problems.append("scanned compressed chunks in an uncompressed form")
        }
        return FormPlanCheck(workload: workload, mode: mode, chunksRun: ran.count, chunksInWindow: chunksInWindow, chunksTotal: chunksTotal,
                             compressedScans: compressed, passed: problems.isEmpty, problems: problems)
    }
}
