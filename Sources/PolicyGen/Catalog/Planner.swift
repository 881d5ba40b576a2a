/// Chooses the generated statements that bring a live database to the spec.
///
/// `desired` is the snapshot after the generated SQL ran (in a rolled-back transaction) and `live` the
/// snapshot before: every object whose fingerprint differs, or that is missing, contributes its statements,
/// in generation order. Index builds are not run in that transaction (they would lock the table for the build):
/// an index the live database lacks, or holds INVALID, is a difference with its concurrent build. An empty
/// plan means the database is in sync.
public struct Plan: Sendable {
    public var differences: [Difference]
    /// What runs in the transaction.
    public var statements: [Statement]
    /// What runs after it commits, one statement at a time (index builds, CONCURRENTLY).
    public var indexStatements: [Statement] = []
    /// What stops `apply` before anything changes: a spec column that is not the database's, a materialized
    /// view or job that would see no rows, a role that would lose every row in silence.
    public var blockers: [String] = []
    /// What changes for people and jobs: each role's reach on each table before and after, the database's own
    /// setters and what becomes of them.
    public var effects: [String] = []
    public var isEmpty: Bool { differences.isEmpty && blockers.isEmpty }

    public init(differences: [Difference], statements: [Statement], indexStatements: [Statement] = [], blockers: [String] = [], effects: [String] = []) {
        self.differences = differences
        self.statements = statements
        self.indexStatements = indexStatements
        self.blockers = blockers
        self.effects = effects
    }

    public struct Difference: Sendable, Equatable {
        public var object: String
        public var live: String?
        public var desired: String?
    }

    public func script(header: [String], verbose: Bool = false) -> String {
        guard !isEmpty else { return "" }
        var lines = header
        if !effects.isEmpty { lines += ["What changes for people and jobs:"] + effects.map { "  " + $0 } }
        if !blockers.isEmpty { lines += ["Blocked: apply refuses to run until these are resolved:"] + blockers.map { "  - " + $0 } }
        let list = differences.flatMap { d in ["  - " + d.object + (d.live == nil ? " (missing)" : " (differs)")] + d.changes(verbose: verbose).map { "      " + $0 } }
        lines += ["Differences:"] + list
        return ScriptRenderer.render(header: lines, sections: [Section("Plan", statements), Section("After the transaction commits, one statement at a time", indexStatements)])
    }
}

extension Plan.Difference {
    /// What changes in an object that exists, line by line as the server deparses it (`- now`, `+ after`),
    /// at most `limit` lines: a reviewer sees, say, which chunks lose which copied grants.
    public func changes(limit: Int = 8, verbose: Bool = false) -> [String] {
        guard let live, let desired else { return [] }
        // Function bodies are long: which functions change, by name, unless the whole text is asked for.
        if !verbose, object == "helper functions" || object.hasPrefix("legacy function ") {
            return Self.functionSummary(live: live, desired: desired)
        }
        let before = live.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let after = desired.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let kept = Set(before).intersection(after).union([""])
        let lines = before.filter { !kept.contains($0) }.map { "- " + $0 } + after.filter { !kept.contains($0) }.map { "+ " + $0 }
        let cut = lines.prefix(verbose ? lines.count : limit).map { $0.count > 160 ? String($0.prefix(157)) + "..." : $0 }
        return cut + (lines.count > limit ? ["(\(lines.count - limit) more changed lines)"] : [])
    }
}

extension Plan.Difference {
    /// `pg_get_functiondef` texts, split by function: the ones added, removed and changed, by signature.
    static func functionSummary(live: String, desired: String) -> [String] {
        func functions(_ text: String) -> [String: String] {
            var out: [String: String] = [:], current: String?, body = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("CREATE OR REPLACE FUNCTION ") || line.hasPrefix("CREATE OR REPLACE PROCEDURE ") {
                    if let current { out[current] = body }
                    current = String(line.split(separator: " ").dropFirst(4).joined(separator: " ")); body = ""
                } else if line.hasPrefix("log: ") {
                    if let current { out[current] = body }
                    current = "admin mode log"; body = String(line)
                    continue
                }
                body += line + "\n"
            }
            if let current { out[current] = body }
            return out
        }
        let before = functions(live), after = functions(desired)
        let added = after.keys.filter { before[$0] == nil }.sorted(), removed = before.keys.filter { after[$0] == nil }.sorted()
        let changed = after.keys.filter { before[$0] != nil && before[$0] != after[$0] }.sorted()
        var out: [String] = []
        if !added.isEmpty { out.append("+ \(added.count) new: " + added.joined(separator: ", ")) }
        if !changed.isEmpty { out.append("~ \(changed.count) changed: " + changed.joined(separator: ", ")) }
        if !removed.isEmpty { out.append("- \(removed.count) removed: " + removed.joined(separator: ", ")) }
        return out.map { $0.count > 160 ? String($0.prefix(157)) + "..." : $0 } + (out.isEmpty ? [] : ["(the whole text with --verbose)"])
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
        // A continuous aggregate made again takes its wall view with it (CASCADE): the walls are made again too.
        for key in differing where key.hasPrefix("time series ") {
            differing.insert("wall " + key.dropFirst("time series ".count))
        }
        let all = generator.sections().flatMap(\.statements)
        var statements = all.filter { differing.contains(snapshotKey($0.object)) }
        // Changed helpers (inline to extension, a new extension version) may replace the functions that
        // policies, guards and grants refer to: the whole spec is applied again, which is idempotent.
        if differing.contains(snapshotKey(.helpers)) {
            var plan = Plan(differences: differences, statements: all)
            plan.indexStatements = indexStatements(generator: generator, live: live, differences: &plan.differences)
            return plan
        }
        // Extensions that time-series statements need are not in the snapshot: they come along when needed.
        let tables = Set(generator.spec.tables.map(\.qualifiedName))
        if statements.contains(where: { if case let .timeSeries(t) = $0.object { return tables.contains(t) }; return false }) {
            statements = all.filter { s in
                if case let .timeSeries(t) = s.object, !tables.contains(t) { return true }
                return differing.contains(snapshotKey(s.object))
            }
        }
        var plan = Plan(differences: differences, statements: statements)
        plan.indexStatements = indexStatements(generator: generator, live: live, differences: &plan.differences)
        return plan
    }

    /// The index step: each index the live database lacks, or holds INVALID, with its build.
    static func indexStatements(generator: Generator, live: CatalogSnapshot, differences: inout [Plan.Difference]) -> [Statement] {
        let statements = generator.indexSection().statements
        var out: [Statement] = []
        for key in uniqued(statements.map { snapshotKey($0.object) }) {
            let state = live.objects[key]
            guard state == nil || state?.hasSuffix(" (INVALID)") == true else { continue }
            differences.append(Plan.Difference(object: key, live: state, desired: state == nil ? nil : String(state!.dropLast(" (INVALID)".count))))
            out += statements.filter { snapshotKey($0.object) == key }
        }
        return out
    }

    /// The snapshot key that shows whether a statement's object is as generated.
    static func snapshotKey(_ key: ObjectKey) -> String {
        switch key {
        case .rowSecurity(let t): return "row security \(t)"
        default: return key.description
        }
    }
}
