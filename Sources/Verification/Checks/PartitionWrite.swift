/// An INSERT named at a child must be refused by a wall, never by a range or key check that only fails by luck.
struct PartitionWrite: TableCheck {
    let info = CheckInfo(id: "partition-write", tries: "`INSERT` into each partition or chunk of a row inside its range (one it holds, moved to tenant A; `DEFAULT VALUES` into a compressed chunk)", passesWhen: "refused with 42501 (a range or key error does not count)")
    let scope = CheckScope.child

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        [try probe.childAttempt(info.id, target, "INSERT", try probe.childInsert(target.child, compressed: target.compressed), "\(target.child) accepts no direct INSERT of a row in its range")]
    }
}
