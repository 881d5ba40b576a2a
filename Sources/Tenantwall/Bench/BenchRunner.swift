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
            case .baseline: return BenchSpec.baselineRole
            case .generated: return BenchSpec.app
            case .contrast: return BenchSpec.contrastRole
            }
        }
    }

    public struct Settings: Sendable {
        public var clients = 2
        public var seconds = 2.0
        public var rounds = 7
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
        /// Server CPU per operation (nanoseconds), when the server runs on this machine.
        public var serverNanosPerOperation: Double?
        public var latenciesMicroseconds: [Int]
    }

    let conninfo: String
    let settings: Settings
    let tenants: [BenchDataset.Sample]
    let tenancy: Tenancy
    let progress: (String) -> Void

    public init(conninfo: String, settings: Settings, tenants: [BenchDataset.Sample], tenancy: Tenancy, progress: @escaping (String) -> Void) {
        self.conninfo = conninfo
        self.settings = settings
        self.tenants = tenants
        self.tenancy = tenancy
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

    struct ClientRun {
        var latencies: [Int] = []
        var busy = 0.0
        var serverNanos: UInt64?
    }

    func measure(_ workload: Workload, _ mode: Mode, round: Int, seconds: Double) throws -> Sample {
        let lock = NSLock()
        var runs: [ClientRun] = []
        var failure: Error?
        DispatchQueue.concurrentPerform(iterations: settings.clients) { client in
            do {
                let run = try self.client(workload, mode, client: client, seconds: seconds)
                lock.lock(); runs.append(run); lock.unlock()
            } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
        if let failure { throw failure }
        let operations = runs.map(\.latencies.count).reduce(0, +)
        let perClientBusy = runs.map(\.busy).reduce(0, +) / Double(settings.clients)
        let cpu = runs.contains { $0.serverNanos == nil } ? nil : runs.compactMap(\.serverNanos).reduce(0, +)
        return Sample(workload: workload.name, mode: mode, round: round, operations: operations,
                      throughput: perClientBusy > 0 ? Double(operations) / perClientBusy : 0,
                      serverNanosPerOperation: cpu.map { operations > 0 ? Double($0) / Double(operations) : 0 },
                      latenciesMicroseconds: runs.flatMap(\.latencies).sorted())
    }

    /// The statement that binds the session to a tenant for the end-to-end pattern: tenantwall's helper for the
    /// generated policies, the bare `set_config` of the field style for the contrast.
    func contextStatement(_ mode: Mode) -> String? {
        switch mode {
        case .baseline: return nil
        case .generated: return "SELECT \(SQL.qualified(tenancy.helperSchema, "set_tenant_context"))($1)"
        case .contrast: return "SELECT pg_catalog.set_config(\(SQL.literal(tenancy.setting)), $1, true)"
        }
    }

    func client(_ workload: Workload, _ mode: Mode, client: Int, seconds: Double) throws -> ClientRun {
        let connection = try Connection(conninfo)
        try connection.execute("SET ROLE \(SQL.ident(mode.role)); SET synchronous_commit = off")
        let cpu = ServerCPU(connection: connection)
        var generator = SplitMix(seed: UInt64(client * 7919 + 17))
        let deadline = Date().addingTimeInterval(seconds)
        var run = ClientRun()
        var serverNanos: UInt64 = 0
        let isEndToEnd = workload.kind == .endToEnd
        let baseline = mode == .baseline
        try connection.prepare("w", workload.sql(baseline: baseline))
        let context = isEndToEnd ? contextStatement(mode) : nil
        if let context { try connection.prepare("ctx", context) }
        var n = client
        while Date() < deadline {
            let tenant = tenants[Int(generator.next() % UInt64(tenants.count))]
            if !isEndToEnd && !baseline {
                try connection.query("SELECT pg_catalog.set_config($1, $2, false)", [tenancy.setting, tenant.tenant])
            }
            let before = cpu?.readIdle()
            for _ in 0..<settings.batch {
                let key = tenant.keys.isEmpty ? "" : tenant.keys[Int(generator.next() % UInt64(tenant.keys.count))]
                n += 1
                let parameters = workload.parameters(baseline: baseline, tenant: tenant.tenant, key: key, n: n)
                let start = DispatchTime.now().uptimeNanoseconds
                if context != nil {
                    try connection.pipeline([("ctx", [tenant.tenant]), ("w", parameters)])
                } else {
                    try connection.executePrepared("w", parameters)
                }
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                run.latencies.append(Int(elapsed / 1000))
                run.busy += Double(elapsed) / 1e9
            }
            if let before, let after = cpu?.readIdle() { serverNanos += after - before }
        }
        run.serverNanos = cpu == nil ? nil : serverNanos
        return run
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
