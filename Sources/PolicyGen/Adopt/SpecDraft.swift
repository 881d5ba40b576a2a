/// A spec `tenantwall init` inferred from an existing database, with what it could not decide: the questions
/// (written as `# QUESTION:` comments where they belong, and summarised on stderr) and the notes that say why a
/// value is what it is. `SpecWriter` turns it into YAML.
public struct SpecDraft: Sendable {
    public var tenancy: Tenancy
    /// `roles.admin` stays empty unless the spec's author declares one; `adminCandidate` is written commented.
    public var roles: Roles
    /// A role that looks like an admin (BYPASSRLS, or named so), offered as a commented `admin:` line.
    public var adminCandidate: String?
    /// Objects owned by the owner that read tenant tables (materialized views, functions): when there are
    /// any, `roles.owner_access: all`, so that its refreshes and jobs keep seeing every row under FORCE.
    public var ownerReaders: [String]
    public var tables: [TableDraft]
    public var legacyFunctions: [LegacyFunction]
    public var tenancyQuestions: [String]
    public var roleQuestions: [String]

    public init(tenancy: Tenancy, roles: Roles, adminCandidate: String? = nil, ownerReaders: [String] = [], tables: [TableDraft],
                legacyFunctions: [LegacyFunction] = [], tenancyQuestions: [String] = [], roleQuestions: [String] = []) {
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

    /// What becomes of a function that sets a setting the policies read, once tenantwall binds tenants.
    public enum LegacyAction: String, CaseIterable, Sendable {
        /// A transaction-scoped shim of the same signature that calls tenantwall's setter.
        case replace
        /// EXECUTE revoked from the access roles.
        case revoke
        /// Left as it is.
        case keep
    }

    public struct LegacyFunction: Sendable, Equatable {
        /// `schema.name(argument types)`.
        public var function: String
        public var action: LegacyAction
        /// What it does today, in a sentence.
        public var today: String

        public init(function: String, action: LegacyAction, today: String) {
            self.function = function
            self.action = action
            self.today = today
        }
    }

    /// Every question, with where it stands (`tenancy`, `roles`, or a table), in file order.
    public var questions: [(at: String, question: String)] {
        tenancyQuestions.map { ("tenancy", $0) } + roleQuestions.map { ("roles", $0) }
            + tables.flatMap { draft in draft.questions.map { (draft.table.qualifiedName, $0) } }
    }
}
