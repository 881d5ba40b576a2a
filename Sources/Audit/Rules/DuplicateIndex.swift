/// TW205: two indexes with the same definition cost writes and space for nothing.
public struct DuplicateIndex: AuditRule {
    public let id = "TW205", name = "duplicate-index", severity = Severity.warning
    public let title = "duplicate index"
    public let explanation = "Identical indexes double the write cost and the memory the planner has to share, and help no query."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let groups = Dictionary(grouping: input.catalog?.indexes ?? [], by: { $0.table + "|" + $0.shape })
        return groups.keys.sorted().compactMap { key in
            let same = groups[key]!.map(\.name).sorted()
            guard same.count > 1 else { return nil }
            let table = groups[key]![0].table
            let schema = table.split(separator: ".", maxSplits: 1).first.map(String.init) ?? "public"
            return finding("\(table): indexes \(same.joined(separator: ", ")) are identical", at: .object("index", same[1]),
                           fix: "DROP INDEX CONCURRENTLY \(Fix.table(schema + "." + same[1]));")
        }
    }
}
