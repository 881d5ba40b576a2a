/// Everything a review's reports show: both sides (where they came from, what they hold, how long they took),
/// the changes, and notes said along the way.
public struct ReviewSummary: Sendable {
    /// One side as the reports describe it.
    public struct Side: Sendable, Equatable {
        /// `base` or `head`.
        public var name: String
        /// `base (git ref main at 1a2b3c4d5e6f)`.
        public var label: String
        public var relations: Int
        public var policies: Int
        /// Roles modelled (PUBLIC included).
        public var roles: Int
        /// The access model's entries by reach (`denied`, `filtered`, `unfiltered`, `view`).
        public var entries: [String: Int]
        public var serverStartMilliseconds: Int?
        public var buildMilliseconds: Int
        public var readMilliseconds: Int

        public init(name: String, label: String, relations: Int, policies: Int, roles: Int, entries: [String: Int],
                    serverStartMilliseconds: Int?, buildMilliseconds: Int, readMilliseconds: Int) {
            self.name = name
            self.label = label
            self.relations = relations
            self.policies = policies
            self.roles = roles
            self.entries = entries
            self.serverStartMilliseconds = serverStartMilliseconds
            self.buildMilliseconds = buildMilliseconds
            self.readMilliseconds = readMilliseconds
        }

        /// `212 entries: 150 denied, 50 filtered, 12 unfiltered`.
        public var entriesLine: String {
            let total = entries.values.reduce(0, +)
            let parts = ["denied", "filtered", "unfiltered", "view"].compactMap { key in entries[key].map { "\($0) \(key)" } }
                + entries.keys.filter { !["denied", "filtered", "unfiltered", "view"].contains($0) }.sorted().map { "\(entries[$0]!) \($0)" }
            return "\(total) entries" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
        }
    }

    public var base: Side
    public var head: Side
    public var changes: [ReviewChange]
    public var notes: [String]
    /// The whole review, from the first side's start to the last witness.
    public var totalMilliseconds: Int
    /// Changes the comparison left out because their texts were identical on both sides.
    public var identical: Int
    /// The access models built and compared (the solver's share), and the witnesses run.
    public var compareMilliseconds = 0
    public var witnessMilliseconds = 0

    public init(base: Side, head: Side, changes: [ReviewChange], notes: [String] = [], totalMilliseconds: Int = 0, identical: Int = 0) {
        self.base = base
        self.head = head
        self.changes = ReviewChange.ordered(changes)
        self.notes = notes
        self.totalMilliseconds = totalMilliseconds
        self.identical = identical
    }

    public var verdict: ReviewVerdict { ReviewVerdict.of(changes) }

    /// `2 widening, 1 narrowing` (strongest first), or `no change in access`.
    public var countsLine: String {
        let counts = ReviewChange.Class.allCases.compactMap { kind -> String? in
            let n = changes.filter { $0.kind == kind }.count
            return n == 0 ? nil : "\(n) \(kind.rawValue)"
        }
        return counts.isEmpty ? "no change in access" : counts.joined(separator: ", ")
    }
}
