/// Chooses the generated statements that bring a live database to the spec.
///
/// `desired` is the snapshot after the generated SQL ran (in a rolled-back transaction) and `live` the
/// snapshot before: every object whose fingerprint differs, or that is missing, contributes its statements,
/// in generation order. An empty plan means the database is in sync.
public struct Plan: Sendable {
    public var differences: [Difference]
    public var statements: [Statement]
    public var isEmpty: Bool { differences.isEmpty }

    public struct Difference: Sendable, Equatable {
        public var object: String
        public var live: String?
        public var desired: String?
    }

    public func script(header: [String]) -> String {
        guard !isEmpty else { return "" }
        let list = differences.flatMap { d in ["  - " + d.object + (d.live == nil ? " (missing)" : " (differs)")] + d.changes().map { "      " + $0 } }
        return ScriptRenderer.render(header: header + ["Differences:"] + list, sections: [Section("Plan", statements)])
    }
}

extension Plan.Difference {
    /// What changes in an object that exists, line by line as the server deparses it (`- now`, `+ after`),
    /// at most `limit` lines: a reviewer sees, say, which chunks lose which copied grants.
    public func changes(limit: Int = 8) -> [String] {
        guard let live, let desired else { return [] }
        let before = live.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let after = desired.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let kept = Set(before).intersection(after).union([""])
        let lines = before.filter { !kept.contains($0) }.map { "- " + $0 } + after.filter { !kept.contains($0) }.map { "+ " + $0 }
        let cut = lines.prefix(limit).map { $0.count > 160 ? String($0.prefix(157)) + "..." : $0 }
        return cut + (lines.count > limit ? ["(\(lines.count - limit) more changed lines)"] : [])
    }
}

public enum Planner {
    public static func plan(generator: Generator, live: CatalogSnapshot, desired: CatalogSnapshot) -> Plan {
        var differences: [Plan.Difference] = []
        for key in desired.objects.keys.sorted() where live.objects[key] != desired.objects[key] {
            differences.append(Plan.Difference(object: key, live: live.objects[key], desired: desired.objects[key]))
        }
        var differing = Set(differences.map(\.object))
        // Citus: a shard placement without the table's walls is repaired by applying them again on the
        // coordinator, which Citus carries to every placement (a partition's by securing the partitions again).
        for key in differing where key.hasPrefix("shards ") {
            let table = String(key.dropFirst("shards ".count))
            differing.formUnion([snapshotKey(.rowSecurity(table)), snapshotKey(.policies(table)), snapshotKey(.timeSeries(table))])
        }
        let all = generator.sections().flatMap(\.statements)
        var statements = all.filter { differing.contains(snapshotKey($0.object)) }
        // Changed helpers (inline to extension, a new extension version) may replace the functions that
        // policies, guards and grants refer to: the whole spec is applied again, which is idempotent.
        if differing.contains(snapshotKey(.helpers)) { return Plan(differences: differences, statements: all) }
        // Extensions that time-series statements need are not in the snapshot: they come along when needed.
        let tables = Set(generator.spec.tables.map(\.qualifiedName))
        if statements.contains(where: { if case let .timeSeries(t) = $0.object { return tables.contains(t) }; return false }) {
            statements = all.filter { s in
                if case let .timeSeries(t) = s.object, !tables.contains(t) { return true }
                return differing.contains(snapshotKey(s.object))
            }
        }
        return Plan(differences: differences, statements: statements)
    }

    /// The snapshot key that shows whether a statement's object is as generated.
    static func snapshotKey(_ key: ObjectKey) -> String {
        switch key {
        case .rowSecurity(let t): return "row security \(t)"
        default: return key.description
        }
    }
}
