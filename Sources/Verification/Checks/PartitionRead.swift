/// A partition or chunk named directly answers with its own RLS settings, not its parent's.
struct PartitionRead: TableCheck {
    let info = CheckInfo(id: "partition-read", tries: "`SELECT` naming each partition, TimescaleDB chunk or compressed chunk (of a walled table's storage) directly, as every role that acts as a tenant", passesWhen: "42501 or 0 rows")
    let scope = CheckScope.child

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        [try probe.childAttempt(info.id, target, "SELECT", "SELECT count(*) FROM \(target.child)", "naming \(target.child) directly returns nothing")]
    }
}
