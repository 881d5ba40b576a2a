import Foundation
import PolicyGen
import Postgres

/// Runs the workloads as the baseline, under the generated policies and under the contrast policies,
/// interleaved round by round so that machine noise falls on all three alike.
public final class BenchRunner {
    public enum Mode: String, CaseIterable, Codable, Sendable {
        /// A role that bypasses RLS, with an explicit `WHERE tenant_id = $1`.
        case baseline
        /// The application role under tenantwall's generated policies.
        case generated
        /// A role under policies written the way they often are (VOLATILE plpgsql helper).
        case contrast

        var role: String {
            switch self {
            case .baseline: return BenchDataset.baselineRole
            case .generated: return "tw_bench_app"
            case .contrast: return BenchDataset.contrastRole
            }
        }
    }

    public struct Settings: Sendable {
        public var clients = 4
        public var seconds = 2.0
        public var rounds = 5
        public var warmup = 0.5
        /// Queries per client before it switches tenant.
        public var batch = 50
        public init() {}
    }

    /// One mode of one workload in one round.
    public struct Sample: Codable, Sendable {
        public var workload: String
        public var mode: Mode
        public var round: Int
        public var operations: Int
        /// Operations per second of busy time (context switches between tenants are not counted).
        public var throughput: Double
        public var latenciesMicroseconds: [Int]
    }

    let conninfo: String
    let settings: Settings
    let tenants: [(id: String, items: [Int])]
    let setting: String
    let progress: (String) -> Void

    public init(conninfo: String, settings: Settings, tenants: [(id: String, items: [Int])], setting: String, progress: @escaping (String) -> Void) {
        self.conninfo = conninfo
        self.settings = settings
        self.tenants = tenants
        self.setting = setting
        self.progress = progress
    }

    public func run(_ workloads: [Workload]) throws -> [Sample] {
        var samples: [Sample] = []
        for workload in workloads {
            for mode in Mode.allCases { _ = try measure(workload, mode, round: 0, seconds: settings.warmup) }
            for round in 1...settings.rounds {
                // Rotate the order each round, so no mode always runs first.
                let modes = Mode.allCases.rotated(by: round)
                for mode in modes {
                    let sample = try measure(workload, mode, round: round, seconds: settings.seconds)
                    samples.append(sample)
                    progress("\(workload.name) round \(round)/\(settings.rounds) \(mode.rawValue): \(Int(sample.throughput)) ops/s")
                }
            }
        }
        return samples
    }

    func measure(_ workload: Workload, _ mode: Mode, round: Int, seconds: Double) throws -> Sample {
        let lock = NSLock()
        var latencies: [Int] = []
        var busy = 0.0
        var failure: Error?
        DispatchQueue.concurrentPerform(iterations: settings.clients) { client in
            do {
                let (mine, time) = try self.client(workload, mode, client: client, seconds: seconds)
                lock.lock(); latencies += mine; busy += time; lock.unlock()
            } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
        if let failure { throw failure }
        let perClientBusy = busy / Double(settings.clients)
        return Sample(workload: workload.name, mode: mode, round: round, operations: latencies.count,
                      throughput: perClientBusy > 0 ? Double(latencies.count) / perClientBusy : 0, latenciesMicroseconds: latencies.sorted())
    }

    func client(_ workload: Workload, _ mode: Mode, client: Int, seconds: Double) throws -> ([Int], Double) {
        let connection = try Connection(conninfo)
        try connection.execute("SET ROLE \(SQL.ident(mode.role)); SET synchronous_commit = off")
        var generator = SplitMix(seed: UInt64(client * 7919 + 17))
        let deadline = Date().addingTimeInterval(seconds)
        var latencies: [Int] = []
        var busy = 0.0
        let isEndToEnd = workload.kind == .endToEnd
        if !isEndToEnd { try connection.prepare("w", mode == .baseline ? workload.baselineSQL : workload.rlsSQL) }
        var n = client
        while Date() < deadline {
            let tenant = tenants[Int(generator.next() % UInt64(tenants.count))]
            if !isEndToEnd && mode != .baseline {
                try connection.query("SELECT set_config($1, $2, false)", [setting, tenant.id])
            }
            for _ in 0..<settings.batch {
                let item = tenant.items.isEmpty ? 0 : tenant.items[Int(generator.next() % UInt64(tenant.items.count))]
                n += 1
                let start = DispatchTime.now().uptimeNanoseconds
                if isEndToEnd {
                    try connection.execute(endToEndSQL(mode, tenant: tenant.id, item: item))
                } else {
                    try connection.executePrepared("w", workload.parameters(baseline: mode == .baseline, tenant: tenant.id, item: item, n: n))
                }
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                latencies.append(Int(elapsed / 1000))
                busy += Double(elapsed) / 1e9
            }
        }
        return (latencies, busy)
    }

    /// One round trip: the baseline sends no context; the RLS modes set it and query in one implicit transaction.
    func endToEndSQL(_ mode: Mode, tenant: String, item: Int) -> String {
        let tenantLiteral = SQL.literal(tenant)
        switch mode {
        case .baseline:
            return "SELECT * FROM public.items WHERE tenant_id = \(tenantLiteral) AND id = \(item)"
        case .generated:
            return "SELECT tenantwall.set_tenant_context(\(tenantLiteral)); SELECT * FROM public.items WHERE id = \(item)"
        case .contrast:
            return "SELECT set_config('app.current_tenant_id', \(tenantLiteral), true); SELECT * FROM public.items WHERE id = \(item)"
        }
    }
}

/// A small, seeded generator so runs choose the same tenants and rows.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    func rotated(by n: Int) -> [Element] {
        guard !isEmpty else { return self }
        let k = n % count
        return Array(self[k...] + self[..<k])
    }
}
