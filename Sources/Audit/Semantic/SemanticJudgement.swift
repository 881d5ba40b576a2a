import Catalog
import Foundation
import Proof

/// What the solver says about every tenant table's effective predicate, per application role, command and
/// clause (issue #31): whether it implies the tenant wall with a tenant in the session, and whether it admits no
/// row without one. The engine of `tenantwall prove` and `review` (`PredicateSolver`), so that how a predicate
/// is written (negation, `AND true`, operand order, `LIKE`, `COALESCE`, casts, SQL functions inlined) cannot
/// hide a widening.
///
/// A failure is put on the policy to blame: each permissive policy that, with the restrictive ones, still
/// admits the row; or, when that permissive policy never looks at the isolation column and restrictive ones
/// do, those restrictive ones (the boundary that does not hold). Its rule is the one whose finding it is:
/// TW108 (no context admits rows), TW106 (the policy's clause is always true), TW107 (a WITH CHECK that lets
/// another tenant's row in), TW110 (a clause blind to the row), TW138 otherwise. A policy a pattern rule
/// already reports (TW106–TW111, TW124, TW131) is not reported again. Verdicts the solver cannot reach
/// (`unknown`: a construct it does not read) report nothing: the pattern rules stay the fast path.
public struct SemanticJudgement: Sendable {
    /// One failure on one policy: every role, command and clause it showed in, and the first witness.
    public struct Failure: Sendable {
        public var ruleId: String
        public var policy: DatabaseCatalog.Policy
        /// `app_user SELECT USING`, … in the order found.
        public var cases: [String]
        /// `context app.tenant_id='…'; row tenant_id='…'`.
        public var witness: String
        /// A wall failure on a policy that, with no tenant in the session, admits rows too.
        public var alsoFailsOpen: Bool
    }

    public let failures: [Failure]
    /// The first witness found on each policy (`table.policy`), by check (`wall`, `no-context`): pattern
    /// findings on the policy quote it too.
    public let witnesses: [String: [String: String]]
    /// Obligations judged, and how many the solver could not decide.
    public let judged: Int, undecided: Int
    /// Checks the solver ran for this input (the rest were known from alike predicates).
    public let solverCalls: Int

    /// The failures a rule reports, as its findings.
    func findings(_ rule: any AuditRule) -> [Finding] {
        failures.filter { $0.ruleId == rule.id }.map { f in
            let kind = f.policy.permissive ? "policy" : "restrictive policy"
            let what = rule.id == "TW108" ? "admits rows with no tenant in the session" : "admits another tenant's row"
            let open = f.alsoFailsOpen ? " (with no tenant in the session it admits rows too)" : ""
            return rule.finding("\(kind) \(f.policy.name) on \(f.policy.table) \(what) (\(f.cases.joined(separator: ", "))): \(f.witness)\(open)",
                                at: .object("policy", "\(f.policy.table).\(f.policy.name)"))
        }
    }

    /// A pattern finding on a policy with the solver's witness for it, when there is one: `TW108` quotes the
    /// no-context witness, the others the wall's (a witness of the other check would prove something else).
    func quote(_ finding: Finding) -> Finding {
        guard finding.location.objectKind == "policy", let object = finding.location.object, let found = witnesses[object] else { return finding }
        guard let witness = found[finding.ruleId == "TW108" ? "no-context" : "wall"] else { return finding }
        var quoted = finding
        quoted.message += " (witness: \(witness))"
        return quoted
    }

    /// Computed once per input, on first use.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var computed: SemanticJudgement?
        func value(_ input: AuditInput) -> SemanticJudgement {
            lock.lock(); defer { lock.unlock() }
            if let computed { return computed }
            let judged = SemanticJudgement(input)
            computed = judged
            return judged
        }
    }

    /// Policies the pattern rules report: their findings stand, the solver adds none of its own on them.
    static func patternObjects(_ input: AuditInput) -> Set<String> {
        let found = PolicyAlwaysTrue().patternFindings(input) + WriteCheckDropsScope().patternFindings(input) + FailOpenNull().patternFindings(input)
            + PolicyWithoutRowColumn().patternFindings(input) + HardcodedTenant().check(input) + ForgeableSetting().check(input) + ForgeableMembership().check(input)
        return Set(found.compactMap(\.location.object))
    }

    init(_ input: AuditInput) {
        guard let catalog = input.catalog, !input.appRoles.isEmpty else { failures = []; witnesses = [:]; judged = 0; undecided = 0; solverCalls = 0; return }
        let before = VerdictMemo.shared.misses
        var judge = Judge(input: input, catalog: catalog, wall: TenantWall(input))
        for table in input.tenantTables where table.rls { judge.judge(table) }
        failures = judge.failures
        witnesses = judge.witnesses
        judged = judge.judged
        undecided = judge.undecided
        solverCalls = VerdictMemo.shared.misses - before
    }
}

/// The checks of one audit, and the failures found so far.
private struct Judge {
    let input: AuditInput
    let catalog: DatabaseCatalog
    let wall: TenantWall
    /// The policies pattern rules report: read on the first failure only (most audits have none).
    lazy var reported: Set<String> = SemanticJudgement.patternObjects(input)
    let solver = PredicateSolver()
    let prints: VerdictMemo.Prints
    /// `VerdictMemo.sideKey` of the side being judged.
    var sideKey = ""
    var failures: [SemanticJudgement.Failure] = []
    var witnesses: [String: [String: String]] = [:]
    var index: [String: Int] = [:]
    var judged = 0, undecided = 0

    init(input: AuditInput, catalog: DatabaseCatalog, wall: TenantWall) {
        self.input = input
        self.catalog = catalog
        self.wall = wall
        prints = VerdictMemo.Prints(catalog)
    }

    mutating func judge(_ table: DatabaseCatalog.Table) {
        let column = input.tenantColumn(for: table.qualified)
        let policies = catalog.policies(on: table)
        guard !policies.isEmpty, let reader = wall.reader(column: table.attributes.first { $0.name == column }, name: column) else { return }
        for role in input.appRoles.sorted() where role != table.owner {
            let facts = catalog.role(role)
            let memberOf = Set(facts?.memberOf ?? [])
            // A role RLS does not bind, or that can become the owner, is TW112/TW113's finding.
            guard facts?.bypasses != true, facts?.superuser != true, !memberOf.contains(table.owner) else { continue }
            let side = Side(columns: table.attributes, functions: catalog.functions, role: role, memberships: memberOf, gates: wall.gates)
            sideKey = VerdictMemo.sideKey(side)
            for command in EffectivePolicies.Command.allCases where holds(command, role: role, memberOf: memberOf, on: table) {
                let effective = EffectivePolicies(policies, role: role, memberOf: memberOf, command: command)
                guard !effective.permissive.isEmpty else { continue }
                for clause in command.clauses {
                    let place = "\(role) \(command.rawValue) \(clause.rawValue)"
                    let checks: [(kind: String, conclusion: RowPredicate, assuming: RowPredicate)] = [
                        ("wall", wall.wall(column: column, reader: reader), wall.tenantSet(reader: reader)),
                        ("no-context", .none, wall.noContext(reader: reader)),
                    ]
                    for check in checks {
                        judged += 1
                        switch verdict(effective.predicate(clause), check.conclusion, check.assuming, side) {
                        case .holds: continue
                        case .unknown: undecided += 1; continue
                        case .fails: blame(check, effective, clause, column: column, side: side, place: place)
                        }
                    }
                }
            }
        }
    }

    /// The role, one of its roles, or PUBLIC holds the command on the table (or on some of its columns).
    func holds(_ command: EffectivePolicies.Command, role: String, memberOf: Set<String>, on table: DatabaseCatalog.Table) -> Bool {
        let grantees = memberOf.union([role, "PUBLIC"])
        return (table.grants + table.columnGrants).contains { grant in
            let parts = grant.split(separator: ":", maxSplits: 1).map(String.init)
            return parts.count == 2 && grantees.contains(parts[0]) && parts[1] == command.rawValue
        }
    }

    func verdict(_ premise: RowPredicate, _ conclusion: RowPredicate, _ assuming: RowPredicate, _ side: Side) -> Verdict {
        let key = VerdictMemo.key([premise, conclusion, assuming], sideKey: sideKey, prints: prints.of)
        return VerdictMemo.shared.verdict(key) { solver.entails(premise, in: side, conclusion, in: side, assuming: assuming) }
    }

    func expression(_ text: String) -> PolicyExpression? { PolicyExpression(text) }

    mutating func blame(_ check: (kind: String, conclusion: RowPredicate, assuming: RowPredicate), _ effective: EffectivePolicies,
                        _ clause: EffectivePolicies.Clause, column: String, side: Side, place: String) {
        let boundary = effective.restrictive.filter { r in
            EffectivePolicies.text(r, clause).flatMap(expression)?.columns.contains(column) ?? false
        }
        for policy in effective.permissive {
            guard let text = EffectivePolicies.text(policy, clause), !readsOpaque(text),
                  case .fails(let witness) = verdict(effective.restricting(.expression(text), clause), check.conclusion, check.assuming, side) else { continue }
            let blind = !(expression(text)?.columns.contains(column) ?? false)
            for blamed in blind && !boundary.isEmpty ? boundary : [policy] {
                guard let blamedText = EffectivePolicies.text(blamed, clause), !readsOpaque(blamedText) else { continue }
                let parsed = expression(blamedText)
                if catalog.isOwnerPolicy(blamed) || parsed.map({ blamed.isAdminGate($0, input) }) == true { continue }
                let rule = check.kind == "no-context" ? "TW108" : category(blamed, blamedText, parsed, clause, side: side)
                let columns = [column] + (parsed?.columns.sorted() ?? []).filter { $0 != column }
                let text = WitnessText.text(witness, columns: columns)
                let object = "\(blamed.table).\(blamed.name)"
                if witnesses[object]?[check.kind] == nil { witnesses[object, default: [:]][check.kind] = text }
                record(rule, blamed, place: place, witness: text)
            }
        }
    }

    /// The text calls a function of the database the solver cannot read (PL/pgSQL, C): it may return the
    /// session's tenant or anything else, so a failure there says nothing; the pattern rules judge it.
    func readsOpaque(_ text: String) -> Bool {
        var seen: Set<String> = []
        var pending = VerdictMemo.calledNames(text)
        while let name = pending.popLast() {
            guard seen.insert(name).inserted else { continue }
            for function in catalog.functionsByName[name] ?? [] where !["pg_catalog", "information_schema"].contains(function.schema) {
                let language = function.definition.flatMap { $0.firstMatch(of: #/(?i)LANGUAGE\s+'?([A-Za-z0-9_]+)/#) }.map { String($0.output.1).lowercased() }
                guard !function.native, let body = function.body, !body.isEmpty, (language ?? "sql") == "sql" else { return true }
                pending += VerdictMemo.calledNames(body)
            }
        }
        return false
    }

    /// Which rule's finding a wall failure on `policy` is.
    func category(_ policy: DatabaseCatalog.Policy, _ text: String, _ parsed: PolicyExpression?, _ clause: EffectivePolicies.Clause, side: Side) -> String {
        if parsed?.constantTrue == true || parsed?.trueBranch == true || verdict(.all, .expression(text), .all, side) == .holds { return "TW106" }
        if clause == .check && policy.check != nil { return "TW107" }
        if parsed?.columns.isEmpty == true { return "TW110" }
        return "TW138"
    }

    /// One finding per policy: a wall failure (TW106, TW107, TW110, TW138) says more than a fail-open and takes
    /// its place, noting it; the first wall failure found stands.
    mutating func record(_ rule: String, _ policy: DatabaseCatalog.Policy, place: String, witness: String) {
        let object = "\(policy.table).\(policy.name)"
        guard !reported.contains(object) else { return }
        guard let at = index[object] else {
            index[object] = failures.count
            failures.append(SemanticJudgement.Failure(ruleId: rule, policy: policy, cases: [place], witness: witness, alsoFailsOpen: false))
            return
        }
        if rule == "TW108" {
            failures[at].alsoFailsOpen = failures[at].ruleId != "TW108"
            if failures[at].ruleId == "TW108", !failures[at].cases.contains(place) { failures[at].cases.append(place) }
            return
        }
        if failures[at].ruleId == "TW108" {
            failures[at] = SemanticJudgement.Failure(ruleId: rule, policy: policy, cases: [place], witness: witness, alsoFailsOpen: true)
        } else if failures[at].ruleId == rule, !failures[at].cases.contains(place) {
            failures[at].cases.append(place)
        }
    }
}
