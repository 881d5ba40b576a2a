import Catalog
import Proof

/// Runs a widening's witness on both sides' databases (Sources/Review/Witness): confirmed when the head admits
/// it and the base does not. Anything else makes the change `unknown`, with the reason. A live side is never
/// written to, so a review with one keeps its widenings unconfirmed.
struct WitnessPair {
    let base: BuiltSide
    let head: BuiltSide
    let models: ReviewComparison
    let baseRunner: WitnessRunner
    let headRunner: WitnessRunner

    let retry: WitnessRetry
    let views: ViewWitness

    init(base: BuiltSide, head: BuiltSide, models: ReviewComparison, solver: PredicateSolver = PredicateSolver()) {
        self.base = base
        self.head = head
        self.models = models
        retry = WitnessRetry(base: base, head: head, models: models, solver: solver)
        views = ViewWitness(base: base, head: head, models: models, solver: solver)
        baseRunner = WitnessRunner(conninfo: base.conninfo)
        headRunner = WitnessRunner(conninfo: head.conninfo)
    }

    /// The change with its witness run: the solver's (for a view that now bypasses the policies, one of
    /// `ViewWitness`), or a second one when the first failed on the head with a data exception (`WitnessRetry`):
    /// kept only when the databases confirm it, so a change is never reported confirmed on a run that failed.
    func confirm(_ pending: ReviewComparison.Pending) -> ReviewChange {
        var witness = pending.witness
        if witness == nil, pending.change.kind == .widening { witness = views.witness(for: pending.change) }
        let first = confirm(pending.change, witness: witness)
        guard first.kind == .unknown, first.confirmed == false, let witness else { return first }
        let second: Witness?
        if Self.failedOnHeadWithDataException(first.reason) {
            let valid = ValidValues.assumptions(witness, object: pending.change.object, catalog: head.catalog, conninfo: head.conninfo)
            second = retry.witness(for: pending.change, assuming: valid)
        } else if first.reason.contains("could not run on the head: the context could not be set as the witness has it: function:") {
            // The role cannot be bound to the tenant the witness gives it: ask for a row it reaches with none.
            second = retry.witness(for: pending.change, tenantBound: false)
        } else {
            second = nil
        }
        guard let second, second != witness else { return first }
        let retried = confirm(pending.change, witness: second)
        return retried.confirmed == true ? retried : first
    }

    /// Whether the head refused the witness with a data exception (class 22): the role's statement failed, or
    /// the table refused the row's values before any policy was asked.
    static func failedOnHeadWithDataException(_ reason: String) -> Bool {
        guard let why = reason.components(separatedBy: "could not run on the head: ").dropFirst().last else { return false }
        return dataException(why) != nil || why.hasPrefix("the table refuses the witness row: 22")
    }

    func confirm(_ original: ReviewChange, witness: Witness?) -> ReviewChange {
        var change = original
        guard let witness else { return change }
        change.witness = Self.describe(witness)
        guard change.kind == .widening else { return change }
        guard base.isScratch && head.isScratch else {
            return Self.noting(change, "the witness was not run: a live database is only read")
        }
        guard let command = WitnessCommand(spelled: change.command) else {
            return Self.unconfirmed(change, "a witness cannot be run for \(change.command)")
        }
        let pinned = self.pinned(change)
        let onHead = headRunner.confirm(witness, role: change.role, object: change.object, command: command, pinned: pinned)
        if !onHead.script.isEmpty { change.witness = onHead.script }
        switch onHead.outcome {
        case .couldNotRun(let why): return Self.unconfirmed(change, "the witness could not run on the head: \(why)")
        case .admitted(false): return Self.unconfirmed(change, "the head's database did not admit the witness")
        case .admitted(true): break
        }
        guard head.catalog.table(change.object) != nil, base.catalog.table(change.object) != nil else {
            change.confirmed = true  // a new object: the base has nothing to run it on, and admitted nothing
            return change
        }
        switch baseRunner.confirm(witness, role: change.role, object: change.object, command: command, pinned: pinned).outcome {
        case .admitted(false):
            change.confirmed = true
            return change
        case .admitted(true): return Self.unconfirmed(change, "the base's database admits the witness too")
        case .couldNotRun(let why):
            // A role the base does not have admits nothing there.
            guard base.catalog.role(change.role) != nil || change.role == "PUBLIC" else {
                change.confirmed = true
                return change
            }
            // The base's statement itself fails in the witness' context with a data exception (class 22: the
            // setting the witness gives cannot be cast, say): PostgreSQL admits nothing there, the head admits the row.
            if let failure = Self.dataException(why) {
                change.confirmed = true
                return Self.noting(change, "the base fails with \(failure) in the witness' context: it admits nothing")
            }
            return Self.unconfirmed(change, "the witness could not run on the base: \(why)")
        }
    }

    /// The columns the predicates of both sides name: a run writes them exactly as the witness says; the others
    /// may come from a row the table already holds when the table refuses the witness' own values.
    func pinned(_ change: ReviewChange) -> Set<String> {
        guard let command = AccessCommand(rawValue: change.command) else { return [] }
        let predicates = [models.base, models.head].flatMap { ReviewComparison.predicates($0.entry(role: change.role, object: change.object, command: command)) }
            + views.predicates(for: change)
        let columns = (head.catalog.table(change.object) ?? base.catalog.table(change.object))?.attributes.map(\.name) ?? []
        return WitnessRunner.columns(namedIn: predicates, of: columns)
    }

    /// The SQLSTATE and message when the runner says the role's own statement failed with a data exception
    /// (SQLSTATE class 22), rather than when the row could not be placed or the context set.
    static func dataException(_ why: String) -> String? {
        let marker = " failed for another reason than the policy: "
        guard let range = why.range(of: marker), !why.contains("with no WHERE"), !why.contains("WHERE CURRENT OF"),
              WitnessCommand(spelled: String(why[..<range.lowerBound])) != nil else { return nil }
        let brief = String(why[range.upperBound...])
        return brief.hasPrefix("22") ? brief : nil
    }

    static func unconfirmed(_ change: ReviewChange, _ why: String) -> ReviewChange {
        var change = noting(change, why)
        change.kind = .unknown
        change.confirmed = false
        return change
    }

    static func noting(_ change: ReviewChange, _ why: String) -> ReviewChange {
        var change = change
        change.reason += (change.reason.isEmpty ? "" : "; ") + why
        return change
    }

    /// The witness as SQL comments, where no script could be made: the row and the context the solver found.
    static func describe(_ witness: Witness) -> String {
        let row = witness.row.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value ?? "NULL")" }
        let context = witness.context.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value ?? "NULL")" }
        return "-- row: " + row.joined(separator: ", ") + (context.isEmpty ? "" : "\n-- context: " + context.joined(separator: ", "))
    }
}
