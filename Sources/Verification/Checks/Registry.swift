/// Every check verify runs, in report order: the table checks `TableProbe` runs, then the run-level ones
/// `Verifier` runs once (`RunChecks`).
public enum VerifyChecks {
    static let table: [TableCheck] = [
        RLSEnabledForced(), WallView(), ShardPlacements(), SelectOwnRows(), CopyOwnRows(), SelectNotGranted(), InsertOtherTenant(), InsertOwnTenant(),
        UpdateMoveRow(), UpdateOtherTenant(), DeleteOtherTenant(), UpsertOtherTenant(), NoContextSelect(), NoContextInsert(),
        UngovernedPrivileges(), PartitionRead(), PartitionWrite(), PartitionUpdate(), PartitionDelete(), ViewWithoutContext(),
        AdminForgedToken(), AdminEnableNonmember(), AdminModeSeesAll(), TrailRecordsChange(), TrailOtherTenantRead(),
    ]

    public static var all: [CheckInfo] { table.map(\.info) + RunChecks.all + Verifier.rollupChecks + Verifier.walledChecks + Verifier.trailChecks }

    /// The check table in docs/verify.md: `| id | what is tried | passes when |`, one row per check.
    public static func markdownTable() -> String {
        "| id | what is tried | passes when |\n| --- | --- | --- |\n"
            + all.map { "| `\($0.id)` | \($0.tries) | \($0.passesWhen) |\n" }.joined()
    }

    /// The ids a listed id stands for: `select-{none,empty}-context` is `select-none-context` and
    /// `select-empty-context`.
    public static func expand(_ id: String) -> [String] {
        guard let open = id.firstIndex(of: "{"), let close = id.firstIndex(of: "}") else { return [id] }
        let head = id[..<open], tail = id[id.index(after: close)...]
        return id[id.index(after: open)..<close].split(separator: ",").map { String(head + $0 + tail) }
    }

    /// Every concrete id a run can report.
    public static var ids: Set<String> { Set(all.flatMap { expand($0.id) }) }
}
