import Foundation
import Tenantwall

/// What a benchmark run measured, per workload and mode, with the plan checks.
public struct BenchReport: Codable, Sendable {
    public struct ModeResult: Codable, Sendable {
        public var mode: BenchRunner.Mode
        /// Median over the rounds of operations per second.
        public var throughput: Double
        public var p50Microseconds: Int
        public var p95Microseconds: Int
        public var p99Microseconds: Int
        /// Throughput lost against the baseline, in percent (median over rounds), with a 95% interval
        /// from the per-round ratios; nil for the baseline itself.
        public var overheadPercent: Double?
        public var overheadLow: Double?
        public var overheadHigh: Double?
        public var throughputByRound: [Double]
        /// Median over the rounds of the server's CPU time per operation, when the server is local.
        public var serverMicroseconds: Double?
        /// Extra server CPU per operation against the baseline, in percent (median of per-round ratios), with
        /// a 95% interval: the steadier measure of what the policies cost on a noisy machine.
        public var cpuOverheadPercent: Double?
        public var cpuOverheadLow: Double?
        public var cpuOverheadHigh: Double?
        /// On Citus, the median of the workers' CPU per operation and its extra against the baseline (median of
        /// per-round ratios, 95% interval), when the workers run on this machine.
        public var workerMicroseconds: Double?
        public var workerCpuOverheadPercent: Double?
        public var workerCpuOverheadLow: Double?
        public var workerCpuOverheadHigh: Double?
    }

    public struct LoadedTable: Codable, Sendable {
        public var table: String
        public var rows: Int
    }

    public enum Verdict: String, Codable, Sendable {
        /// The 95% interval lies within the target.
        case met
        /// The whole interval lies above the target.
        case missed
        /// The interval straddles the target: this machine cannot tell.
        case inconclusive
    }

    public struct WorkloadResult: Codable, Sendable {
        public var workload: String
        public var title: String
        public var modes: [ModeResult]
        /// The overhead target (percent) and how the generated policies did against it, judged on server CPU
        /// when measured, else on throughput.
        public var targetPercent: Double?
        public var verdict: Verdict?
        public var explanation: String?
        /// The signed binding on the native extension against the native context binding (the `context` mode):
        /// extra server CPU (else throughput lost) per operation, median of per-round ratios with a 95% interval,
        /// and the verdict against `signedTargetPercent`.
        public var signedOverContextPercent: Double?
        public var signedOverContextLow: Double?
        public var signedOverContextHigh: Double?
        public var signedVerdict: Verdict?
        /// End-to-end only: the transaction with tenantwall's setter (the generated mode) against the same
        /// transaction with a trivial statement in its place (the `trivial` mode): extra server CPU (else
        /// throughput lost) per transaction, median of per-round ratios with a 95% interval, and the verdict
        /// against `setterTargetPercent`.
        public var setterOverTrivialPercent: Double?
        public var setterOverTrivialLow: Double?
        public var setterOverTrivialHigh: Double?
        public var setterVerdict: Verdict?
        /// The walled form's verdicts against the same target, uncompressed and compressed (hypertable workloads).
        public var walledVerdict: Verdict?
        public var compressedVerdict: Verdict?
        public func mode(_ m: BenchRunner.Mode) -> ModeResult? { modes.first { $0.mode == m } }
    }

    /// The signed binding's target against the context binding, in percent: per statement, and per
    /// transaction (end-to-end: the token is taken in every transaction).
    public static let signedTargetPercent = 5.0
    public static let signedTransactionTargetPercent = 10.0
    /// The setter's target against a trivial statement in its place, per transaction, in percent.
    public static let setterTargetPercent = 5.0

    static func signedTarget(_ workload: String) -> Double {
        workload == "end-to-end" ? signedTransactionTargetPercent : signedTargetPercent
    }

    public var startedAt: String
    public var durationSeconds: Double
    public var serverVersion: String
    /// The spec measured: "built-in" or the spec files.
    public var spec: String
    public var rows: Int
    public var tenants: Int
    public var tables: [LoadedTable]
    /// Rows of the largest tenant in the point (or time-series) table.
    public var largestTenantRows: Int
    public var clients: Int
    public var secondsPerRun: Double
    public var rounds: Int
    public var workloads: [WorkloadResult]
    public var planChecks: [PlanCheck]
    public var maxOverheadPercent: Double?
    /// Why the run fails, if it does: failed plan checks, overhead over `--max-overhead`.
    public var failures: [String]
    /// What was left out or replaced (workloads the spec cannot support, extensions the server lacks).
    public var notes: [String]
    /// The walled form of the time-series hypertable, when the run measured it.
    public var walled: WalledSummary?

    public static func build(samples: [BenchRunner.Sample], workloads: [Workload]) -> [WorkloadResult] {
        workloads.map { workload in
            let mine = samples.filter { $0.workload == workload.name }
            let present = BenchRunner.Mode.allCases.filter { mode in mine.contains { $0.mode == mode } }
            let modes = present.map { mode -> ModeResult in
                let runs = mine.filter { $0.mode == mode }.sorted { $0.round < $1.round }
                let latencies = runs.flatMap(\.latenciesMicroseconds).sorted()
                func percentile(_ p: Double) -> Int { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
                var result = ModeResult(mode: mode, throughput: Stats.median(runs.map(\.throughput)), p50Microseconds: percentile(0.5),
                                        p95Microseconds: percentile(0.95), p99Microseconds: percentile(0.99), throughputByRound: runs.map(\.throughput))
                let cpu = runs.compactMap(\.serverNanosPerOperation)
                if cpu.count == runs.count, !cpu.isEmpty { result.serverMicroseconds = Stats.median(cpu) / 1000 }
                let workers = runs.compactMap(\.workerNanosPerOperation)
                if workers.count == runs.count, !workers.isEmpty { result.workerMicroseconds = Stats.median(workers) / 1000 }
                if mode != mode.reference {
                    let baseline = mine.filter { $0.mode == mode.reference }.sorted { $0.round < $1.round }
                    let overheads = zip(runs, baseline).map { 100 * (1 - $0.throughput / max($1.throughput, 1e-9)) }
                    result.overheadPercent = Stats.median(overheads)
                    (result.overheadLow, result.overheadHigh) = Stats.interval95(overheads)
                    if let cpuOverheads = cpuRatios(runs, baseline, \.serverNanosPerOperation) {
                        result.cpuOverheadPercent = Stats.median(cpuOverheads)
                        (result.cpuOverheadLow, result.cpuOverheadHigh) = Stats.interval95(cpuOverheads)
                    }
                    if let workerOverheads = cpuRatios(runs, baseline, \.workerNanosPerOperation) {
                        result.workerCpuOverheadPercent = Stats.median(workerOverheads)
                        (result.workerCpuOverheadLow, result.workerCpuOverheadHigh) = Stats.interval95(workerOverheads)
                    }
                }
                return result
            }
            var result = WorkloadResult(workload: workload.name, title: workload.title, modes: modes, targetPercent: workload.target)
            func verdict(_ mode: BenchRunner.Mode) -> Verdict? {
                guard let target = workload.target, let m = modes.first(where: { $0.mode == mode }),
                      let low = m.cpuOverheadLow ?? m.overheadLow, let high = m.cpuOverheadHigh ?? m.overheadHigh else { return nil }
                return high <= target ? .met : low > target ? .missed : .inconclusive
            }
            (result.verdict, result.walledVerdict, result.compressedVerdict) = (verdict(.generated), verdict(.walled), verdict(.compressed))
            if [result.verdict, result.walledVerdict, result.compressedVerdict].contains(where: { $0 != nil && $0 != .met }) {
                result.explanation = workload.explanation
            }
            if present.contains(.context) {
                (result.signedOverContextPercent, result.signedOverContextLow, result.signedOverContextHigh, result.signedVerdict) =
                    compare(mine, .generated, against: .context, target: signedTarget(workload.name))
            }
            if present.contains(.trivial) {
                (result.setterOverTrivialPercent, result.setterOverTrivialLow, result.setterOverTrivialHigh, result.setterVerdict) =
                    compare(mine, .generated, against: .trivial, target: setterTargetPercent)
            }
            return result
        }
    }
}

extension BenchReport {
    /// Extra CPU in percent (one figure of `Sample`), round by round over the same rounds of both; nil unless
    /// every round has the figure in both.
    static func cpuRatios(_ runs: [BenchRunner.Sample], _ base: [BenchRunner.Sample], _ figure: KeyPath<BenchRunner.Sample, Double?>) -> [Double]? {
        let ratios = zip(runs, base).compactMap { run, base -> Double? in
            guard let mine = run[keyPath: figure], let theirs = base[keyPath: figure], theirs > 0 else { return nil }
            return 100 * (mine / theirs - 1)
        }
        return ratios.count == runs.count && !ratios.isEmpty ? ratios : nil
    }

    /// One mode against another from the same rounds: extra server CPU per operation in percent (else
    /// throughput lost), median of the per-round ratios, its 95% interval, and the verdict against target.
    static func compare(_ samples: [BenchRunner.Sample], _ mode: BenchRunner.Mode, against other: BenchRunner.Mode,
                        target: Double) -> (Double?, Double?, Double?, Verdict?) {
        let mine = samples.filter { $0.mode == mode }.sorted { $0.round < $1.round }
        let theirs = samples.filter { $0.mode == other }.sorted { $0.round < $1.round }
        let ratios = cpuRatios(mine, theirs, \.serverNanosPerOperation)
            ?? zip(mine, theirs).map { 100 * (1 - $0.throughput / max($1.throughput, 1e-9)) }
        guard !ratios.isEmpty else { return (nil, nil, nil, nil) }
        let (low, high) = Stats.interval95(ratios)
        return (Stats.median(ratios), low, high, high <= target ? .met : low > target ? .missed : .inconclusive)
    }
}

enum Stats {
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Mean ± t·s/√n with Student's t for n−1 degrees of freedom.
    static func interval95(_ values: [Double]) -> (Double, Double) {
        let n = values.count
        guard n > 1 else { return (values.first ?? 0, values.first ?? 0) }
        let mean = values.reduce(0, +) / Double(n)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)).squareRoot()
        let t: [Double] = [12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18, 2.16, 2.14]
        let half = (n - 2 < t.count ? t[n - 2] : 1.96) * sd / Double(n).squareRoot()
        return (mean - half, mean + half)
    }
}
