import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Runs the workloads as the baseline, under the generated policies and under the contrast policies,
/// interleaved round by round so that machine noise falls on all three alike.
public final class BenchRunner {
    public enum Mode: String, CaseIterable, Codable, Sendable {
        /// A role that bypasses RLS, with an explicit `WHERE tenant_id = $1`.
        case baseline
        /// The application role under tenantwall's generated policies.
        case generated
        /// With the native extension: the same policies on inline (SQL) helpers, the form for managed services.
        case inline
        /// With the signed binding on the native extension: policies on the native context reader, the figure
        /// the signed binding is held to (within 5%).
        case context
        /// A role under policies written the way they often are (VOLATILE plpgsql helper).
        case contrast
        /// The end-to-end workload only: the baseline's query with a trivial statement (`SELECT $1::<type>`)
        /// pipelined before it in the same round trip, what any second statement costs; the setter is held to it.
        case trivial
        /// The walled form of a hypertable (issue #25), uncompressed: the owner on the walled hypertable with an
        /// explicit `WHERE tenant_id = $1` (the baseline of the walled form's own storage) …
        case walledBaseline = "walled-baseline"
        /// … and the application role through the walled view (`security_barrier`, the tenant predicate).
        case walled
        /// The same, on a walled copy whose older chunks are compressed (segment_by the tenant column).
        case compressedBaseline = "compressed-baseline"
        case compressed

        var role: String {
            switch self {
            case .baseline, .trivial: return BenchSpec.baselineRole
            case .generated: return BenchSpec.app
            case .inline: return BenchSpec.inlineRole
            case .context: return BenchSpec.contextRole
            case .contrast: return BenchSpec.contrastRole
            case .walledBaseline, .compressedBaseline: return BenchSpec.owner
            case .walled, .compressed: return BenchSpec.app
            }
        }

        /// The modes a spec is measured in: the comparison modes only where they differ from the generated one.
        public static func measured(for tenancy: Tenancy) -> [Mode] {
            // On Citus the contrast's session setting never reaches the workers: it would measure empty scans.
            [.baseline, .generated] + (tenancy.nativeReader ? [.inline] : [])
                + (tenancy.nativeReader && tenancy.binding == .signed ? [.context] : []) + (tenancy.citus ? [] : [.contrast])
        }
    }

    public struct Settings: Sendable {
        public var clients = 2
        public var seconds = 2.0
        public var rounds = 7
        public var warmup = 0.5
        /// Queries per client before it switches tenant.
        public var batch = 50
        /// Each round's seconds per mode are split into slices this long, the modes taking turns.
        public var slice = 0.25
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
        /// Server CPU per operation (nanoseconds), when the server runs on this machine (on Citus, the
        /// coordinator's).
        public var serverNanosPerOperation: Double?
        /// On Citus, the workers' CPU per operation (nanoseconds), when they run on this machine.
        public var workerNanosPerOperation: Double?
        public var latenciesMicroseconds: [Int]
    }

    let conninfo: String
    let settings: Settings
    let tenants: [BenchDataset.Sample]
    let tenancy: Tenancy
    let binding: BenchBinding
    let modes: [Mode]
    let progress: (String) -> Void

    public init(conninfo: String, settings: Settings, tenants: [BenchDataset.Sample], tenancy: Tenancy, binding: BenchBinding,
                progress: @escaping (String) -> Void) {
        self.conninfo = conninfo
        self.settings = settings
        self.tenants = tenants
        self.tenancy = tenancy
        self.binding = binding
        self.modes = Mode.measured(for: tenancy)
        self.progress = progress
    }

    public func run(_ workloads: [Workload]) throws -> [Sample] {
        var samples: [Sample] = []
        for workload in workloads {
            let modes = workload.modes ?? self.modes
            // One warm connection per client and mode for the whole workload: no connection start-up, cold
            // catalog caches or first plans inside a measurement.
            var clients: [Mode: [Client]] = [:]
            for mode in modes {
                clients[mode] = try (0..<settings.clients).map { try Client(self, workload, mode, index: $0) }
            }
            for mode in modes { _ = try slice(clients[mode]!, seconds: settings.warmup) }
            let slices = max(1, Int((settings.seconds / settings.slice).rounded()))
            for round in 1...settings.rounds {
                // Modes take turns in short slices, in an order that rotates, so a slow moment of the machine
                // falls on all of them alike.
                var runs: [Mode: [ClientRun]] = [:]
                for s in 0..<slices {
                    for mode in modes.rotated(by: round + s) {
                        runs[mode, default: []] += try slice(clients[mode]!, seconds: settings.seconds / Double(slices))
                    }
                }
                for mode in modes {
                    let sample = Self.sample(workload.name, mode, round: round, runs: runs[mode] ?? [], clients: settings.clients)
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
        var workerNanos: UInt64?
    }

    /// Runs every client of one mode at once for `seconds`.
    func slice(_ clients: [Client], seconds: Double) throws -> [ClientRun] {
        let deadline = Date().addingTimeInterval(seconds)
        return try WorkerPool.map(clients, workers: clients.count) { _, client in try client.run(until: deadline) }
    }

    static func sample(_ workload: String, _ mode: Mode, round: Int, runs: [ClientRun], clients: Int) -> Sample {
        let operations = runs.map(\.latencies.count).reduce(0, +)
        let perClientBusy = runs.map(\.busy).reduce(0, +) / Double(max(clients, 1))
        let cpu = runs.contains { $0.serverNanos == nil } ? nil : runs.compactMap(\.serverNanos).reduce(0, +)
        let workers = runs.contains { $0.workerNanos == nil } ? nil : runs.compactMap(\.workerNanos).reduce(0, +)
        return Sample(workload: workload, mode: mode, round: round, operations: operations,
                      throughput: perClientBusy > 0 ? Double(operations) / perClientBusy : 0,
                      serverNanosPerOperation: cpu.map { operations > 0 ? Double($0) / Double(operations) : 0 },
                      workerNanosPerOperation: workers.map { operations > 0 ? Double($0) / Double(operations) : 0 },
                      latenciesMicroseconds: runs.flatMap(\.latencies).sorted())
    }

    /// One benchmark connection: its role, prepared statements, random stream and CPU reader.
    final class Client {
        let runner: BenchRunner
        let workload: Workload
        let mode: Mode
        let connection: Connection
        let cpu: ServerCPU?
        let workers: WorkerCPU?
        let withContext: Bool
        let explicitTransaction: Bool
        var generator: SplitMix
        var n: Int

        init(_ runner: BenchRunner, _ workload: Workload, _ mode: Mode, index: Int) throws {
            self.runner = runner
            self.workload = workload
            self.mode = mode
            connection = try Connection(runner.conninfo)
            try connection.execute("SET ROLE \(SQL.ident(mode.role)); SET synchronous_commit = off")
            cpu = ServerCPU(connection: connection)
            workers = runner.tenancy.citus && cpu != nil ? WorkerCPU(client: connection, conninfo: runner.conninfo) : nil
            try connection.prepare("w", workload.sql(for: mode))
            let context = workload.kind == .endToEnd ? runner.binding.contextStatement(mode) : nil
            if let context { try connection.prepare("ctx", context) }
            withContext = context != nil
            // Citus carries SET LOCAL to the workers only inside a transaction block: BEGIN and COMMIT travel in
            // the same round trip.
            explicitTransaction = withContext && runner.tenancy.citus
            if explicitTransaction {
                try connection.prepare("begin", "BEGIN")
                try connection.prepare("commit", "COMMIT")
            }
            generator = SplitMix(seed: UInt64(index * 7919 + 17))
            n = index * 1_000_000
        }

        /// Queries until the deadline, switching tenant every `batch` queries (the switch is not timed, except
        /// in the end-to-end workload, where setting the context is part of every operation). At least one
        /// operation runs, however late the slice starts on a loaded machine: a slice with none measures nothing.
        func run(until deadline: Date) throws -> ClientRun {
            var run = ClientRun()
            var serverNanos: UInt64 = 0
            var workerNanos: UInt64? = workers == nil ? nil : 0
            let baseline = mode.isBaseline
            let tenants = runner.tenants, binding = runner.binding
            repeat {
                let tenant = tenants[Int(generator.next() % UInt64(tenants.count))]
                let context = binding.value(mode, tenant: tenant.tenant)
                // On Citus only SET LOCAL reaches the workers: each batch runs in a transaction that takes its
                // context first (every mode alike, so the transaction itself costs the same), untimed as a tenant
                // switch is elsewhere.
                let citusBatch = runner.tenancy.citus && workload.kind != .endToEnd
                if citusBatch {
                    try connection.execute("BEGIN")
                    if let bind = binding.bind(mode, tenant: tenant.tenant, local: true) { try connection.query(bind.sql, bind.arguments) }
                } else if workload.kind != .endToEnd, let bind = binding.bind(mode, tenant: tenant.tenant, local: false) {
                    try connection.query(bind.sql, bind.arguments)
                }
                defer { if citusBatch { _ = try? connection.execute("COMMIT") } }
                _ = workers?.advance()
                let before = cpu?.readIdle()
                for _ in 0..<runner.settings.batch {
                    let keys = workload.keys[tenant.tenant] ?? tenant.keys
                    let key = keys.isEmpty ? "" : keys[Int(generator.next() % UInt64(keys.count))]
                    n += 1
                    let parameters = workload.parameters(baseline: baseline, tenant: tenant.tenant, key: key, n: n)
                    let start = DispatchTime.now().uptimeNanoseconds
                    if withContext {
                        try connection.pipeline(explicitTransaction ? [("begin", []), ("ctx", [context]), ("w", parameters), ("commit", [])]
                                                                    : [("ctx", [context]), ("w", parameters)])
                    } else {
                        try connection.executePrepared("w", parameters)
                    }
                    let elapsed = DispatchTime.now().uptimeNanoseconds - start
                    run.latencies.append(Int(elapsed / 1000))
                    run.busy += Double(elapsed) / 1e9
                    if Date() >= deadline { break }
                }
                if let before, let after = cpu?.readIdle() { serverNanos += after - before }
                if workers != nil { workerNanos = workers?.advance().flatMap { spent in workerNanos.map { $0 + spent } } }
            } while Date() < deadline
            run.serverNanos = cpu == nil ? nil : serverNanos
            run.workerNanos = workerNanos
            return run
        }
    }
}

extension Array {
    func rotated(by n: Int) -> [Element] {
        guard !isEmpty else { return self }
        let k = n % count
        return Array(self[k...] + self[..<k])
    }
}
