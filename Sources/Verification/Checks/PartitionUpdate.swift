/// An UPDATE named at a child touches nothing.
struct PartitionUpdate: TableCheck {
    let info = CheckInfo(id: "partition-update", tries: "`UPDATE` of each partition or chunk named directly", passesWhen: "42501 or 0 rows")
    let scope = CheckScope.child

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        [try probe.childAttempt(info.id, target, "UPDATE", "UPDATE \(target.child) SET \(probe.scope) = \(probe.scope)", "\(target.child) accepts no direct UPDATE")]
    }
}
