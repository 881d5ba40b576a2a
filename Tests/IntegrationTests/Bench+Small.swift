import PolicyGen
import TenantwallBench

extension Bench {
    /// A run small enough for a test: a few thousand rows, a few tenants, rounds of 50 ms. Timings are never
    /// asserted; what the tests check is what the run did (workloads, modes, plans, the scratch database gone).
    static func small(conninfo: String, spec: Spec?, label: String) -> Bench {
        var bench = Bench(conninfo: conninfo, spec: spec, specLabel: label)
        bench.rows = 6_000
        bench.tenants = 6
        bench.runner.clients = 2
        bench.runner.seconds = 0.05
        bench.runner.warmup = 0.02
        bench.runner.rounds = 2
        return bench
    }
}
