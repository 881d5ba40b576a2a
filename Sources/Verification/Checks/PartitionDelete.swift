/// A DELETE named at a child removes nothing.
struct PartitionDelete: TableCheck {
    let info = CheckInfo(id: "partition-delete", tries: "`DELETE` from each partition or chunk named directly", passesWhen: "42501 or 0 rows")
    let scope = CheckScope.child

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        [try probe.childAttempt(info.id, target, "DELETE", "DELETE FROM \(target.child)", "\(target.child) accepts no direct DELETE")]
    }
}
