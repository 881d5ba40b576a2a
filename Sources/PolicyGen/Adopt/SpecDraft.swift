/// A spec `tenantwall init` inferred from an existing database, with what it could not decide: the questions
/// (written as `# QUESTION:` comments where they belong, and summarised on stderr) and the notes that say why a
/// value is what it is. `SpecWriter` turns it into YAML.
public struct SpecDraft: Sendable {
    public var tenancy: Tenancy
    /// `roles.admin` stays empty unless the spec's author declares one; `adminCandidate` is written commented.
    /// `roles.ownerAccess` is `all` when `ownerReaders` is not empty.
    public var roles: Roles
    /// A role that looks like an admin (BYPASSRLS, or named so), offered as a commented `admin:` line.
    public var adminCandidate: String?
    /// Objects owned by the owner that read tenant tables (materialized views, functions): why
    /// `roles.owner_access` is `all`, so that its refreshes and jobs keep seeing every row under FORCE.
    public var ownerReaders: [String]
    public var tables: [TableDraft]
    public var legacyFunctions: [LegacySetter]
    public var tenancyQuestions: [String]
    public var roleQuestions: [String]

    public init(tenancy: Tenancy, roles: Roles, adminCandidate: String? = nil, ownerReaders: [String] = [], tables: [TableDraft],
                legacyFunctions: [LegacySetter] = [], tenancyQuestions: [String] = [], roleQuestions: [String] = []) {
        self.tenancy = tenancy
        self.roles = roles
        self.adminCandidate = adminCandidate
        self.ownerReaders = ownerReaders
        self.tables = tables
        self.legacyFunctions = legacyFunctions
        self.tenancyQuestions = tenancyQuestions
        self.roleQuestions = roleQuestions
    }

    public struct TableDraft: Sendable {
        public var table: Table
        /// Grants to roles the spec does not declare, written commented (a question under roles says why).
        public var undeclaredGrants: [(role: String, commands: [Command])]
        public var questions: [String]
        /// Plain comments: what was left out of the spec and why.
        public var notes: [String]

        public init(table: Table, undeclaredGrants: [(role: String, commands: [Command])] = [], questions: [String] = [], notes: [String] = []) {
            self.table = table
            self.undeclaredGrants = undeclaredGrants
            self.questions = questions
            self.notes = notes
        }
    }

    /// A setter of the application's own, as the spec names it, and what it does today (written as its comment).
    public struct LegacySetter: Sendable {
        public var function: LegacyFunction
        /// What it does today, in a sentence.
        public var today: String

        public init(function: LegacyFunction, today: String) {
            self.function = function
            self.today = today
        }
    }

    /// The spec the draft writes, as `SpecLoader` will read it back (without locations).
    public var spec: Spec {
        Spec(tenancy: tenancy, roles: roles, tables: tables.map(\.table), legacyFunctions: legacyFunctions.map(\.function), files: [])
    }

    /// Every question, with where it stands (`tenancy`, `roles`, or a table), in file order.
    public var questions: [(at: String, question: String)] {
        tenancyQuestions.map { ("tenancy", $0) } + roleQuestions.map { ("roles", $0) }
            + tables.flatMap { draft in draft.questions.map { (draft.table.qualifiedName, $0) } }
    }
}
