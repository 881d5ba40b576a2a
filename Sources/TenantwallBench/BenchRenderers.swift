import Foundation
import Reporting
import Tenantwall

/// Markdown, JSON and a self-contained HTML page (charts drawn as inline SVG, nothing to fetch).
public enum BenchRenderers {
    static func pct(_ v: Double?) -> String { v.map { String(format: "%+.1f%%", $0) } ?? "–" }
    static func ms(_ us: Int) -> String { String(format: "%.2f", Double(us) / 1000) }
    static func us(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "–" }

    static func target(_ w: BenchReport.WorkloadResult) -> String {
        guard let t = w.targetPercent else { return "–" }
        return "≤ \(String(format: "%g", t))%: " + (w.verdict?.rawValue ?? "not measured")
    }

    /// One line on what was measured and where.
    static func summary(_ report: BenchReport) -> String {
        "Spec: \(report.spec). \(report.rows) rows (" + report.tables.map { "\($0.table) \($0.rows)" }.joined(separator: ", ")
            + "), \(report.tenants) tenants (largest: \(report.largestTenantRows) rows), \(report.clients) clients, "
            + "\(report.rounds) interleaved rounds of \(report.secondsPerRun) s per mode, PostgreSQL \(report.serverVersion)."
    }

    /// The overhead a chart shows: server CPU when measured (steadier), throughput otherwise.
    static func chartOverhead(_ m: BenchReport.ModeResult?) -> Double { m?.cpuOverheadPercent ?? m?.overheadPercent ?? 0 }

    /// The report through the one JSON writer; a figure JSON cannot hold (NaN) is named instead of lost.
    public static func json(_ report: BenchReport) -> String {
        do { return try JSONWriter.render(report) } catch { return (try? JSONWriter.render(["error": "\(error)"])) ?? "{}\n" }
    }

    /// The comparison modes (inline helpers, the native context reader, a trivial statement in the setter's
    /// place) with the signed binding against the context binding and the setter against the trivial statement,
    /// when the run had them.
    static func comparisons(_ report: BenchReport) -> String {
        let modes = [BenchRunner.Mode.inline, .context, .trivial].filter { m in report.workloads.contains { $0.mode(m) != nil } }
        guard !modes.isEmpty else { return "" }
        let signed = modes.contains(.context), trivial = modes.contains(.trivial)
        func figure(_ value: Double?, _ low: Double?, _ high: Double?, _ verdict: BenchReport.Verdict?) -> String {
            value == nil ? " |" : " \(pct(value)) (\(pct(low)) … \(pct(high))): \(verdict?.rawValue ?? "–") |"
        }
        var out = "\n| workload | mode | CPU overhead against the baseline (95% CI) | throughput overhead (95% CI) |"
        if signed {
            out += " signed over context (95% CI), target ≤ \(String(format: "%g", BenchReport.signedTargetPercent))% a statement, "
            out += "\(String(format: "%g", BenchReport.signedTransactionTargetPercent))% a transaction |"
        }
        if trivial { out += " setter over a trivial statement (95% CI), target ≤ \(String(format: "%g", BenchReport.setterTargetPercent))% |" }
        out += "\n| --- | --- | ---: | ---: |" + (signed ? " ---: |" : "") + (trivial ? " ---: |" : "") + "\n"
        for w in report.workloads {
            for m in [BenchRunner.Mode.generated] + modes {
                guard let r = w.mode(m) else { continue }
                let name = m == .generated ? "generated" : m == .trivial ? "trivial statement + baseline" : m.rawValue
                out += "| \(w.workload) | \(name) | \(pct(r.cpuOverheadPercent)) (\(pct(r.cpuOverheadLow)) … \(pct(r.cpuOverheadHigh))) | "
                out += "\(pct(r.overheadPercent)) (\(pct(r.overheadLow)) … \(pct(r.overheadHigh))) |"
                let generated = m == .generated
                if signed { out += generated ? figure(w.signedOverContextPercent, w.signedOverContextLow, w.signedOverContextHigh, w.signedVerdict) : " |" }
                if trivial { out += generated ? figure(w.setterOverTrivialPercent, w.setterOverTrivialLow, w.setterOverTrivialHigh, w.setterVerdict) : " |" }
                out += "\n"
            }
        }
        return out
    }

    /// On Citus: the coordinator's and the workers' CPU per operation beside the throughput, every mode, when
    /// the workers run on this machine (the statement's work under RLS is the workers').
    static func clusterCPU(_ report: BenchReport) -> String {
        guard report.workloads.contains(where: { $0.modes.contains { $0.workerMicroseconds != nil } }) else { return "" }
        var out = "\n| workload | mode | ops/s | coordinator CPU µs/op | workers CPU µs/op | coordinator CPU overhead (95% CI) | workers CPU overhead (95% CI) |\n"
        out += "| --- | --- | ---: | ---: | ---: | ---: | ---: |\n"
        for w in report.workloads {
            for m in w.modes {
                out += "| \(w.workload) | \(m.mode.rawValue) | \(Int(m.throughput)) | \(us(m.serverMicroseconds)) | \(us(m.workerMicroseconds)) | "
                out += m.mode.isBaseline && m.mode == m.mode.reference ? "– | – |\n"
                    : "\(pct(m.cpuOverheadPercent)) (\(pct(m.cpuOverheadLow)) … \(pct(m.cpuOverheadHigh))) | \(pct(m.workerCpuOverheadPercent)) (\(pct(m.workerCpuOverheadLow)) … \(pct(m.workerCpuOverheadHigh))) |\n"
            }
        }
        return out
    }

    public static func markdown(_ report: BenchReport) -> String {
        var out = "## tenantwall bench: " + (report.failures.isEmpty ? "generated policies match the baseline" : "\(report.failures.count) problem(s)") + "\n\n"
        out += summary(report) + "\n\n"
        out += "| workload | baseline ops/s | generated | throughput overhead (95% CI) | server CPU µs/op base → generated | CPU overhead (95% CI) | contrast overhead (throughput / CPU) | p50 / p95 / p99 ms (generated) | plan | target |\n"
        out += "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |\n"
        for w in report.workloads {
            let b = w.mode(.baseline)!, g = w.mode(.generated)!, c = w.mode(.contrast)  // no contrast on Citus
            let check = report.planChecks.first { $0.workload == w.workload && $0.mode == .generated }
            let plan = check.map { $0.passed ? ($0.ignored.isEmpty ? "same" : "same (see note)") : ($0.limitation != nil ? "differs (PostgreSQL limitation)" : "**differs**") } ?? "–"
            out += "| \(w.title) | \(Int(b.throughput)) | \(Int(g.throughput)) | \(pct(g.overheadPercent)) (\(pct(g.overheadLow)) … \(pct(g.overheadHigh))) | "
            out += "\(us(b.serverMicroseconds)) → \(us(g.serverMicroseconds)) | \(pct(g.cpuOverheadPercent)) (\(pct(g.cpuOverheadLow)) … \(pct(g.cpuOverheadHigh))) | "
            out += "\(pct(c?.overheadPercent)) / \(pct(c?.cpuOverheadPercent)) | \(ms(g.p50Microseconds)) / \(ms(g.p95Microseconds)) / \(ms(g.p99Microseconds)) | \(plan) | \(target(w)) |\n"
        }
        out += comparisons(report)
        out += clusterCPU(report)
        out += walledMarkdown(report)
        if !report.notes.isEmpty { out += "\n" + report.notes.map { "- note: \($0)\n" }.joined() }
        for w in report.workloads { if let why = w.explanation { out += "\n**\(w.workload)** (\(target(w))): \(why)\n" } }
        for check in report.planChecks where !check.passed && check.mode == .generated {
            out += "\n**\(check.workload)**: \(check.differences.joined(separator: "; "))\n"
            if let limitation = check.limitation { out += "\n\(limitation)\n" }
        }
        for check in report.planChecks where check.passed && check.mode == .generated && !check.ignored.isEmpty {
            out += "\n**\(check.workload)** plan, not counted as a difference: \(check.ignored.joined(separator: "; "))\n"
        }
        for failure in report.failures { out += "\n- \(failure)\n" }
        return out
    }

    /// Overhead per workload as horizontal bars (generated and contrast), zero in the middle.
    static func overheadChart(_ report: BenchReport) -> String {
        let rowHeight = 34, width = 760, left = 280, mid = left + 160
        var values: [Double] = []
        for w in report.workloads {
            values.append(abs(chartOverhead(w.mode(.generated))))
            values.append(abs(chartOverhead(w.mode(.contrast))))
        }
        // The scale stops at 100%: the contrast style (and LIKE) can cost thousands of percent in server CPU,
        // which would flatten every other bar. Longer bars are cut at the edge; the label gives the value.
        let largest: Double = min(100, max(10, values.max() ?? 10))
        let scale = 160.0 / largest
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\(rowHeight * report.workloads.count + 40) font-family=\"sans-serif\" font-size=\"12\">"
        svg += "<line x1=\"\(mid)\" y1=\"0\" x2=\"\(mid)\" y2=\"\(rowHeight * report.workloads.count + 10)\" stroke=\"#888\"/>"
        for (i, w) in report.workloads.enumerated() {
            let y = i * rowHeight + 8
            svg += "<text x=\"4\" y=\"\(y + 16)\">\(Escape.xml(w.workload))</text>"
            for (j, mode) in [BenchRunner.Mode.generated, .contrast].enumerated() {
                let v = chartOverhead(w.mode(mode))
                let length = Int(min(abs(v), largest) * scale)
                let x = v >= 0 ? mid : mid - length
                svg += "<rect x=\"\(x)\" y=\"\(y + j * 13)\" width=\"\(max(1, length))\" height=\"11\" fill=\"\(mode == .generated ? "#2e7d32" : "#c62828")\"/>"
                svg += "<text x=\"\(mid + 170)\" y=\"\(y + j * 13 + 10)\">\(mode.rawValue) \(pct(v))</text>"
            }
        }
        svg += "<text x=\"\(mid - 30)\" y=\"\(rowHeight * report.workloads.count + 30)\">0% (baseline)</text>"
        svg += "<text x=\"\(mid + 120)\" y=\"\(rowHeight * report.workloads.count + 30)\">+\(Int(largest))%</text></svg>"
        return svg
    }

    /// p50, p95 and p99 latency per mode, per workload, on a log scale.
    static func latencyChart(_ report: BenchReport) -> String {
        let rowHeight = 13 * (report.workloads.map(\.modes.count).max() ?? 3) + 10, left = 130, width = 1000
        let maxUs = Double(report.workloads.flatMap { $0.modes.map(\.p99Microseconds) }.max() ?? 1000)
        func x(_ us: Int) -> Int { left + Int(Double(width - left - 300) * log10(Double(max(us, 10))) / log10(max(maxUs, 100))) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(rowHeight * report.workloads.count + 30)\" font-family=\"sans-serif\" font-size=\"11\">"
        let colors: [BenchRunner.Mode: String] = [.baseline: "#555", .generated: "#2e7d32", .inline: "#1565c0", .context: "#6a1b9a", .contrast: "#c62828",
                                                  .walledBaseline: "#777", .walled: "#ef6c00", .compressedBaseline: "#999", .compressed: "#00838f", .trivial: "#8d6e63"]
        for (i, w) in report.workloads.enumerated() {
            let y = i * rowHeight + 6
            svg += "<text x=\"4\" y=\"\(y + 20)\">\(Escape.xml(w.workload))</text>"
            for (j, m) in w.modes.enumerated() {
                let yy = y + j * 13
                svg += "<line x1=\"\(x(m.p50Microseconds))\" y1=\"\(yy + 5)\" x2=\"\(x(m.p99Microseconds))\" y2=\"\(yy + 5)\" stroke=\"\(colors[m.mode]!)\" stroke-width=\"2\"/>"
                svg += "<circle cx=\"\(x(m.p50Microseconds))\" cy=\"\(yy + 5)\" r=\"4\" fill=\"\(colors[m.mode]!)\"/>"
                svg += "<rect x=\"\(x(m.p95Microseconds) - 2)\" y=\"\(yy)\" width=\"4\" height=\"10\" fill=\"\(colors[m.mode]!)\"/>"
                svg += "<text x=\"\(x(m.p99Microseconds) + 6)\" y=\"\(yy + 9)\">\(m.mode.rawValue) \(ms(m.p50Microseconds))/\(ms(m.p95Microseconds))/\(ms(m.p99Microseconds)) ms</text>"
            }
        }
        svg += "</svg>"
        return svg
    }

    public static func html(_ report: BenchReport) -> String {
        var out = """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>tenantwall bench</title>
            <style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
            th:first-child,td:first-child{text-align:left}.ok{color:#0b5d28}.bad{color:#8a1010;font-weight:600}pre{background:#f6f6f6;padding:.5rem;max-height:20rem;overflow:auto}</style></head><body>
            <h1>tenantwall bench</h1>

            """
        out += "<p class=\"\(report.failures.isEmpty ? "ok" : "bad")\">" + (report.failures.isEmpty ? "Generated policies: same plans as the baseline." : report.failures.map(Escape.xml).joined(separator: "<br>")) + "</p>"
        out += "<p>\(Escape.xml(summary(report))) Started \(report.startedAt).</p>"
        if !report.notes.isEmpty { out += "<ul>" + report.notes.map { "<li>\(Escape.xml($0))</li>" }.joined() + "</ul>" }
        let measure = report.workloads.contains { $0.mode(.generated)?.cpuOverheadPercent != nil } ? "server CPU per operation" : "throughput"
        out += "<h2>Overhead against the baseline (\(measure), median of per-round ratios)</h2>" + overheadChart(report)
        out += "<h2>Latency: p50 (dot), p95 (bar), p99 (end)</h2>" + latencyChart(report)
        out += "<h2>Numbers</h2><table><tr><th>workload</th><th>mode</th><th>ops/s</th><th>overhead</th><th>95% CI</th><th>server µs/op</th><th>CPU overhead</th><th>95% CI</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>target</th></tr>"
        for w in report.workloads {
            for m in w.modes {
                out += "<tr><td>\(Escape.xml(w.title))</td><td>\(m.mode.rawValue)</td><td>\(Int(m.throughput))</td><td>\(pct(m.overheadPercent))</td>"
                out += "<td>\(pct(m.overheadLow)) … \(pct(m.overheadHigh))</td><td>\(us(m.serverMicroseconds))</td><td>\(pct(m.cpuOverheadPercent))</td>"
                out += "<td>\(pct(m.cpuOverheadLow)) … \(pct(m.cpuOverheadHigh))</td><td>\(ms(m.p50Microseconds))</td><td>\(ms(m.p95Microseconds))</td><td>\(ms(m.p99Microseconds))</td>"
                out += "<td>\(m.mode == .generated ? Escape.xml(target(w)) : "")</td></tr>"
            }
        }
        out += "</table>" + walledHTML(report)
        for w in report.workloads { if let why = w.explanation { out += "<p><b>\(Escape.xml(w.workload))</b> (\(Escape.xml(target(w)))): \(Escape.xml(why))</p>" } }
        out += "<h2>Plan checks</h2>"
        for check in report.planChecks {
            out += "<h3>\(Escape.xml(check.workload)), \(check.mode.rawValue): <span class=\"\(check.passed ? "ok" : "bad")\">\(check.passed ? "same plan and buffers as the baseline" : "differs")</span></h3>"
            if !check.ignored.isEmpty { out += "<p>Not counted as a difference: \(check.ignored.map(Escape.xml).joined(separator: "<br>"))</p>" }
            if !check.passed {
                out += "<p>\(check.differences.map(Escape.xml).joined(separator: "<br>"))</p>"
                if let limitation = check.limitation { out += "<p>\(Escape.xml(limitation))</p>" }
                out += "<details><summary>plans</summary><p>baseline</p><pre>\(Escape.xml(check.baselinePlan))</pre><p>\(check.mode.rawValue)</p><pre>\(Escape.xml(check.candidatePlan))</pre></details>"
            }
        }
        return out + "</body></html>\n"
    }
}
