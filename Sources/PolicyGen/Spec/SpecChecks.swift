/// The diagnostics of one validation run, in the order the sections' checks add them, and the checks that
/// several sections share (names PostgreSQL would truncate, reserved schemas, intervals, expressions).
///
/// Each section's `check` takes this by `inout`; a diagnostic without a location points at the first file's
/// first line, so every one of them still names a file.
struct SpecChecks {
    let spec: Spec
    /// Line 1 of the first spec file: where a diagnostic without a location of its own is reported.
    let start: SourceLocation
    private(set) var diagnostics: [Diagnostic] = []

    init(spec: Spec) {
        self.spec = spec
        start = SourceLocation(file: spec.files.first ?? "spec", line: 1, column: 1)
    }

    var tenancy: Tenancy { spec.tenancy }
    var roles: Roles { spec.roles }

    mutating func error(_ message: String, _ at: SourceLocation?) {
        diagnostics.append(Diagnostic(.error, message, at: at ?? start))
    }

    /// Not empty, no longer than PostgreSQL keeps (it truncates silently), no NUL.
    mutating func identifier(_ name: String, _ what: String, _ at: SourceLocation?) {
        let limit = SpecValidator.maxIdentifierBytes
        if name.isEmpty { error("\(what) must not be empty", at) }
        else if name.utf8.count > limit {
            error("\(what) '\(name)' is \(name.utf8.count) bytes; PostgreSQL truncates names over \(limit) bytes", at)
        }
        if name.contains("\u{0}") { error("\(what) must not contain a NUL character", at) }
    }

    /// `pg_` schemas are the server's own: creating one fails at apply.
    mutating func schemaName(_ name: String, _ what: String, _ at: SourceLocation?) {
        if name.lowercased().hasPrefix("pg_") { error("\(what) '\(name)' starts with 'pg_', which PostgreSQL reserves for system schemas", at) }
    }

    /// `N unit[s]`, as `SpecValidator.parseInterval` reads it.
    mutating func interval(_ text: String, _ what: String, _ at: SourceLocation?) {
        if SpecValidator.parseInterval(text) == nil { error("\(what) '\(text)' must look like '1 day', '7 days' or '1 month'", at) }
    }

    /// A name the table must have as a column, with a suggestion for a typo.
    mutating func requireColumn(_ name: String, _ what: String, of table: Table, _ at: SourceLocation?) {
        guard table.column(name) == nil else { return }
        var message = "\(what) '\(name)' is not a column of '\(table.qualifiedName)'"
        if let s = Suggestion.closest(to: name, among: table.columns.map(\.name)) { message += "; did you mean '\(s)'?" }
        error(message, at)
    }

    /// An author's SQL condition (`restrict`, an index's `where`): one expression, a condition, over the
    /// table's own columns.
    mutating func expressionColumns(_ expression: String, _ what: String, _ table: Table, _ at: SourceLocation?) {
        switch ExpressionColumns.read(expression) {
        case .invalid(let message): error("\(what) is not one SQL expression: \(message)", at)
        case .notACondition(let why): error("\(what) must be a condition (true or false for a row): \(why)", at)
        case .columns(let names):
            for name in uniqued(names) where table.column(name) == nil {
                var message = "\(what) names column '\(name)', which '\(table.qualifiedName)' does not have"
                if let s = Suggestion.closest(to: name, among: table.columns.map(\.name)) { message += "; did you mean '\(s)'?" }
                error(message, at)
            }
        }
    }
}
