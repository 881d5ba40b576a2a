import Foundation

/// Writes a `SpecDraft` as a spec file: the YAML `SpecLoader` reads, in the key order of docs/spec.md, with the
/// draft's questions as `# QUESTION:` comments next to what they are about and its notes as plain comments, so
/// the author reviews one file. Pure: text in, text out (`tenantwall init` writes it to disk).
public enum SpecWriter {
    /// Comment lines are wrapped to this width.
    static let width = 110

    public static func write(_ draft: SpecDraft, header: [String] = []) -> String {
        var out = YAMLLines()
        for line in header { out.comment(line, indent: 0) }
        if !header.isEmpty { out.blank() }

        let t = draft.tenancy
        out.line("tenancy:")
        out.line("  column: \(YAMLText.scalar(t.column))")
        out.line("  type: \(t.type.rawValue)")
        out.line("  setting: \(YAMLText.scalar(t.setting))")
        if t.helperSchema != Tenancy().helperSchema { out.line("  helper_schema: \(YAMLText.scalar(t.helperSchema))") }
        out.line("  helpers: \(t.helpers.rawValue)")
        out.line("  scope: \(t.scope.rawValue)")
        for question in draft.tenancyQuestions { out.question(question, indent: 2) }
        out.blank()

        let r = draft.roles
        out.line("roles:")
        out.line("  owner: \(YAMLText.scalar(r.owner))")
        out.line("  app: \(YAMLText.scalar(r.app))")
        if !r.admin.isEmpty { out.line("  admin: \(YAMLText.scalar(r.admin))") }
        if !r.readonly.isEmpty { out.line("  readonly: \(YAMLText.flowList(r.readonly))") }
        if let candidate = draft.adminCandidate, r.admin.isEmpty { out.line("  # admin: \(YAMLText.scalar(candidate))") }
        if !r.create { out.line("  create: false                # the roles exist; tenantwall changes none of their attributes") }
        for question in draft.roleQuestions { out.question(question, indent: 2) }
        if r.ownerAccess != .none {
            if !draft.ownerReaders.isEmpty {
                out.comment("the owner reads tenant rows in \(draft.ownerReaders.joined(separator: ", ")): under FORCE ROW LEVEL SECURITY it would see none (empty refreshes, jobs that touch nothing); all keeps every row visible to it", indent: 2)
            }
            out.line("  owner_access: \(r.ownerAccess.rawValue)")
        }
        out.blank()

        out.line("tables:")
        for (n, draft) in draft.tables.enumerated() {
            if n > 0 { out.blank() }
            table(draft, into: &out)
        }

        if !draft.legacyFunctions.isEmpty {
            out.blank()
            out.comment("The application's own setters. replace: a transaction-scoped shim of the same signature that calls tenantwall's setter | revoke: EXECUTE taken from the access roles | keep: left as it is", indent: 0)
            out.line("legacy_functions:")
            for setter in draft.legacyFunctions {
                out.comment("\(setter.function.signature) \(setter.today)", indent: 2)
                out.line("  - {function: \(YAMLText.quoted(setter.function.signature)), action: \(setter.function.action.rawValue)}")
            }
        }
        return out.text
    }

    static func table(_ draft: SpecDraft.TableDraft, into out: inout YAMLLines) {
        let t = draft.table
        out.line("  - name: \(YAMLText.scalar(t.name))")
        out.line("    schema: \(YAMLText.scalar(t.schema))")
        out.line("    isolation: \(t.isolation.rawValue)")
        if let key = t.key { out.line("    key: \(YAMLText.scalar(key))") }
        if let reason = t.reason { out.line("    reason: \(YAMLText.quoted(reason))") }
        for question in draft.questions { out.question(question, indent: 4) }
        for note in draft.notes { out.comment(note, indent: 4) }
        out.line("    columns:")
        for column in t.columns {
            var fields: [String] = []
            if column.notNull { fields.append("not_null: true") }
            if let value = column.defaultValue { fields.append("default: " + defaultText(value)) }
            let type = YAMLText.scalar(column.type)
            out.line("      \(YAMLText.scalar(column.name)): " + (fields.isEmpty ? type : "{type: \(type), \(fields.joined(separator: ", "))}"))
        }
        if !t.primaryKey.isEmpty { out.line("    primary_key: \(YAMLText.flowList(t.primaryKey))") }
        out.line("    grants:")
        for (role, commands) in t.grants { out.line("      \(YAMLText.scalar(role)): \(YAMLText.flowList(commands.map(\.rawValue)))") }
        for (role, commands) in draft.undeclaredGrants {
            out.line("      # \(YAMLText.scalar(role)): \(YAMLText.flowList(commands.map(\.rawValue)))   (not declared: see the question under roles)")
        }
        if !t.indexes.isEmpty {
            out.line("    indexes:")
            for index in t.indexes {
                var fields: [String] = []
                if let name = index.name { fields.append("name: \(YAMLText.scalar(name))") }
                fields.append("columns: " + YAMLText.flowList(index.columns.map { $0.name + ($0.descending ? " desc" : "") }))
                if !index.include.isEmpty { fields.append("include: " + YAMLText.flowList(index.include)) }
                if index.unique { fields.append("unique: true") }
                if let predicate = index.predicate { fields.append("where: " + YAMLText.quoted(predicate)) }
                out.line("      - {\(fields.joined(separator: ", "))}")
            }
        }
        if let p = t.partitioning {
            out.line("    partitioning: {column: \(YAMLText.scalar(p.column)), interval: \(YAMLText.scalar(p.interval)), premake: \(p.premake), manager: \(p.manager.rawValue)}")
        }
        if let h = t.hypertable {
            var fields = ["time_column: \(YAMLText.scalar(h.timeColumn))", "chunk_interval: \(YAMLText.scalar(h.chunkInterval))"]
            if let retention = h.retention { fields.append("retention: \(YAMLText.scalar(retention))") }
            if let schema = h.chunkSchema { fields.append("chunk_schema: \(YAMLText.scalar(schema))") }
            if let n = h.spacePartitions { fields.append("space_partitions: \(n)") }
            out.line("    hypertable: {\(fields.joined(separator: ", "))}")
        }
    }

    /// Functions and numbers plain (the loader reads a plain `now()` as the function), strings always quoted
    /// (so `'now()'` or `'42'` stay strings).
    static func defaultText(_ value: ColumnDefault) -> String {
        switch value {
        case .function(let f): return f
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return YAMLText.quoted(s)
        }
    }
}

/// Lines of YAML with wrapped comments.
struct YAMLLines {
    private(set) var lines: [String] = []

    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func line(_ text: String) { lines.append(text) }

    mutating func blank() { if lines.last?.isEmpty == false { lines.append("") } }

    mutating func comment(_ text: String, indent: Int) { wrapped(text, indent: indent, first: "# ", rest: "#   ") }

    mutating func question(_ text: String, indent: Int) { wrapped(text, indent: indent, first: "# QUESTION: ", rest: "#   ") }

    /// Words of one paragraph, wrapped at `SpecWriter.width`; a comment never carries a line break into the YAML.
    private mutating func wrapped(_ text: String, indent: Int, first: String, rest: String) {
        let pad = String(repeating: " ", count: indent)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }).map(String.init)
        var current = pad + first
        var fresh = true
        for word in words {
            if !fresh, current.count + 1 + word.count > SpecWriter.width {
                lines.append(current)
                current = pad + rest + word
                continue
            }
            current += (fresh ? "" : " ") + word
            fresh = false
        }
        lines.append(current)
    }
}

/// YAML scalars: plain when a plain scalar reads back as the same string, double-quoted otherwise. Public for
/// the other YAML tenantwall writes (Identity's Grafana data source).
public enum YAMLText {
    /// Words YAML 1.1 would read as something other than a string.
    static let reserved: Set = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    static func scalar(_ text: String) -> String {
        // A name, or an interval such as `1 month` (a number followed by a word is a string in YAML).
        let plain = (text.range(of: #"^[A-Za-z_]([A-Za-z0-9_.\- ]*[A-Za-z0-9_])?$"#, options: .regularExpression) != nil
                     || text.range(of: #"^[0-9]+ [a-z]+$"#, options: .regularExpression) != nil)
            && !text.contains("  ") && !reserved.contains(text.lowercased())
        return plain ? text : quoted(text)
    }

    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f { out += "\\u" + String(format: "%04X", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }

    static func flowList(_ items: [String]) -> String { "[" + items.map(scalar).joined(separator: ", ") + "]" }
}
