import Foundation
import Reporting

/// The walled form's part of the reports: its overhead beside the RLS form's, uncompressed and compressed, the
/// storage before and after compression, and the plan checks only the walled form has.
extension BenchRenderers {
    static func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

    static func overhead(_ m: BenchReport.ModeResult?) -> String {
        guard let m else { return "–" }
        return "\(pct(m.cpuOverheadPercent)) (\(pct(m.cpuOverheadLow)) … \(pct(m.cpuOverheadHigh))); throughput \(pct(m.overheadPercent))"
    }

    static func walledMarkdown(_ report: BenchReport) -> String {
        guard let w = report.walled else { return "" }
        var out = "\n### Walled form of \(w.table) (compression needs it: TimescaleDB refuses compression with RLS)\n\n"
        out += "The RLS form (\(w.table)), the walled form (view \(w.view) over \(w.storage)) and the walled form compressed "
            + "(\(w.compressedView) over \(w.compressedStorage): \(w.compressedChunks) of \(w.totalChunks) chunks compressed, older than "
            + "\(w.compressionAfter), segment_by \(w.segmentBy.joined(separator: ", ")), order_by \(w.orderBy)), the same rows in each, each form against "
            + "the hand-written `WHERE tenant = $1` query on its own storage, all six in the same interleaved rounds. Every query reads the "
            + "window \(w.window) (\(w.chunksInWindow) chunks). Overheads: server CPU per operation (95% CI); throughput.\n\n"
        out += "| workload | RLS form | walled | walled, compressed | server CPU µs/op: base → RLS · base → walled · base → compressed | target: RLS / walled / compressed |\n"
        out += "| --- | ---: | ---: | ---: | ---: | --- |\n"
        for r in report.workloads where HypertableWorkloads.names.contains(r.workload) {
            let pairs: [(BenchRunner.Mode, BenchRunner.Mode)] = [(.baseline, .generated), (.walledBaseline, .walled), (.compressedBaseline, .compressed)]
            let cpu = pairs.map { "\(us(r.mode($0.0)?.serverMicroseconds)) → \(us(r.mode($0.1)?.serverMicroseconds))" }.joined(separator: " · ")
            let verdicts = [r.verdict, r.walledVerdict, r.compressedVerdict].map { $0?.rawValue ?? "–" }.joined(separator: " / ")
            out += "| \(r.workload) | \(overhead(r.mode(.generated))) | \(overhead(r.mode(.walled))) | \(overhead(r.mode(.compressed))) | \(cpu) | "
            out += "≤ \(r.targetPercent.map { String(format: "%g", $0) } ?? "–")%: \(verdicts) |\n"
        }
        let ratio = w.afterCompressionBytes > 0 ? String(format: "%.1f×", Double(w.beforeCompressionBytes) / Double(w.afterCompressionBytes)) : "–"
        out += "\nStorage (`hypertable_size`): RLS form \(mb(w.rlsBytes)), walled \(mb(w.walledBytes)), walled compressed \(mb(w.compressedBytes)); "
        out += "the compressed chunks \(mb(w.beforeCompressionBytes)) before, \(mb(w.afterCompressionBytes)) after (\(ratio), `hypertable_compression_stats`).\n\n"
        out += "Wall view (generated): `\(w.predicate.split(whereSeparator: \.isWhitespace).joined(separator: " "))`\n\n"
        out += "| plan check | form | chunks run (window / all) | compressed chunk scans: tenant applied as | result |\n| --- | --- | ---: | --- | --- |\n"
        for c in w.formChecks {
            let scans = c.compressedScans.isEmpty ? "–" : Dictionary(grouping: c.compressedScans.map { $0.components(separatedBy: ": ").last ?? "" }, by: { $0 })
                .map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", ")
            out += "| \(c.workload) | \(c.mode == .generated ? "RLS" : c.mode.rawValue) | \(c.chunksRun) (\(c.chunksInWindow) / \(c.chunksTotal)) | \(scans) | "
            out += (c.passed ? "ok" : "**" + c.problems.joined(separator: "; ") + "**") + " |\n"
        }
        for check in report.planChecks where [.walled, .compressed].contains(check.mode) && !check.passed {
            out += "\n**\(check.workload)** (\(check.mode.rawValue)): \(check.differences.joined(separator: "; "))"
            out += check.limitation.map { " — not a failure: \($0)" } ?? ""
            out += "\n"
        }
        for note in w.notes { out += "\n- note: \(note)\n" }
        return out
    }

    static func walledHTML(_ report: BenchReport) -> String {
        guard report.walled != nil else { return "" }
        return "<h2>Walled form</h2><pre>\(Escape.xml(walledMarkdown(report)))</pre>"
    }
}
