import Foundation
import PolicyGen
import Quoting
import SQLParser

/// Small helpers the rules share: quoting names for fix SQL (PolicyGen's quoting) and naming commands.
enum Fix {
    static func ident(_ name: String) -> String { SQL.ident(name) }

    /// `schema.table` → `"schema"."table"`.
    static func table(_ qualified: String) -> String {
        guard let dot = qualified.firstIndex(of: ".") else { return SQL.ident(qualified) }
        return SQL.qualified(String(qualified[..<dot]), String(qualified[qualified.index(after: dot)...]))
    }

    static func command(_ code: String) -> String {
        ["r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"][code] ?? code
    }
}


extension AuditCatalog.Policy {
    /// An admin policy by design: admin mode (`admin_mode_enabled()`), or on Citus a policy granted to the admin
    /// role alone whose predicate is that the session is that role (`CURRENT_USER = 'admin'`: taken on with SET
    /// ROLE). The admin role is the spec's, or (without a spec) any role that is not an application role: the
    /// same gate on the application's role would hand it every tenant (TW110).
    func isAdminGate(_ expression: PolicyExpression, _ input: AuditInput) -> Bool {
        if expression.calls.contains(where: { $0.name == "admin_mode_enabled" }) { return true }
        guard roles.count == 1, let role = roles.first else { return false }
        let admin = input.spec.map { $0.roles.admin == role } ?? !input.appRoles.contains(role)
        let text = expression.text.replacingOccurrences(of: " ", with: "")
        return admin && ["(CURRENT_USER='\(role)'::name)", "CURRENT_USER='\(role)'::name"].contains(text)
    }
}

extension AuditInput {
    /// The roles a policy on `table` should name so that everyone who uses it today keeps working: the roles
    /// holding privileges on it, or without any, the application's roles (never its owner or a superuser, whom a
    /// policy cannot usefully name).
    func currentUsers(of table: AuditCatalog.Table) -> [String] {
        guard let catalog else { return [] }
        let holders = catalog.privilegeHolders(table).roles
        if !holders.isEmpty { return holders }
        return appRoles.filter { $0 != table.owner && catalog.role($0)?.superuser != true }.sorted()
    }

    /// The catalog functions a policy calls, matched by name (a call in a policy's text may be unqualified).
    func functionsCalled(by p: (policy: AuditCatalog.Policy, using: PolicyExpression?, check: PolicyExpression?)) -> [AuditCatalog.Function] {
        let names = Set([p.using, p.check].compactMap { $0 }.flatMap(\.calls).map(\.name))
        return names.sorted().flatMap { catalog?.functionsByName[$0] ?? [] }
    }
}

extension String {
    /// The first capture group of every match of `pattern` (case-insensitive).
    func matches(of pattern: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return [] }
        let text = self as NSString
        return regex.matches(in: self, range: NSRange(location: 0, length: text.length)).compactMap { m in
            m.numberOfRanges > 1 && m.range(at: 1).location != NSNotFound ? text.substring(with: m.range(at: 1)) : nil
        }
    }
}

/// A migration statement's parse tree, as a dictionary of its own node (`IndexStmt`, `AlterTableStmt`, …).
struct MigrationStatement {
    let migration: ParsedMigration
    let statement: SQLParser.Statement
    let node: [String: Any]

    var location: FindingLocation { .file(migration.path, line: statement.line, column: statement.column) }

    /// Every statement of every pending migration, in order.
    static func all(_ input: AuditInput) -> [MigrationStatement] {
        input.migrations.flatMap { m in
            m.statements.map { s in
                let root = (try? JSONSerialization.jsonObject(with: Data(s.tree.utf8))) as? [String: Any]
                let stmt = ((root?["stmts"] as? [[String: Any]])?.first?["stmt"] as? [String: Any])?[s.kind] as? [String: Any]
                return MigrationStatement(migration: m, statement: s, node: stmt ?? [:])
            }
        }
    }

    var relation: String? {
        guard let rel = node["relation"] as? [String: Any], let name = rel["relname"] as? String else { return nil }
        return (rel["schemaname"] as? String).map { $0 + "." + name } ?? name
    }

    /// The table of `CREATE POLICY` / `ALTER POLICY`.
    var policyTable: String? {
        guard let rel = node["table"] as? [String: Any], let name = rel["relname"] as? String else { return nil }
        return (rel["schemaname"] as? String).map { $0 + "." + name } ?? name
    }

    /// `DROP POLICY name ON table`: each policy it drops, with its table.
    var droppedPolicies: [(table: String, name: String)] {
        guard statement.kind == "DropStmt", node["removeType"] as? String == "OBJECT_POLICY" else { return [] }
        return (node["objects"] as? [[String: Any]] ?? []).compactMap { object in
            let items = ((object["List"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { ($0["String"] as? [String: Any])?["sval"] as? String }
            guard items.count >= 2 else { return nil }
            return (items.dropLast().joined(separator: "."), items.last!)
        }
    }

    /// The body of a `DO` block.
    var doBody: String? {
        guard statement.kind == "DoStmt" else { return nil }
        return (node["args"] as? [[String: Any]] ?? []).lazy.compactMap { ($0["DefElem"] as? [String: Any]).flatMap { $0["defname"] as? String == "as" ? ($0["arg"] as? [String: Any])?["String"] as? [String: Any] : nil }?["sval"] as? String }.first
    }

    /// A table name as a migration writes it, compared across statements: `t` and `public.t` are the same table
    /// under the default search_path.
    static func sameTable(_ a: String, _ b: String) -> Bool {
        func normal(_ name: String) -> String { name.contains(".") ? name : "public." + name }
        return normal(a) == normal(b)
    }

    /// Table names written in SQL text (a DO block's body): `"s"."t"`, `s.t`, `t`, as the parser would read them
    /// (quoted parts as written, unquoted ones in lower case).
    static func tableName(_ written: String) -> String {
        written.matches(of: #"("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)"#).map { part in
            part.hasPrefix("\"") ? String(part.dropFirst().dropLast()).replacingOccurrences(of: "\"\"", with: "\"") : part.lowercased()
        }.joined(separator: ".")
    }

    /// `AlterTableCmd` entries of an `ALTER TABLE`.
    var alterCommands: [[String: Any]] {
        (node["cmds"] as? [[String: Any]] ?? []).compactMap { $0["AlterTableCmd"] as? [String: Any] }
    }

    /// Constraints that `ALTER TABLE … ADD CONSTRAINT` adds to tables that exist before the pending migrations
    /// (adding one to a table created earlier in them locks nobody), with the statement that adds each.
    static func constraintsAddedToExistingTables(_ input: AuditInput) -> [(statement: MigrationStatement, table: String, constraint: [String: Any])] {
        let all = all(input)
        return all.enumerated().flatMap { i, s -> [(statement: MigrationStatement, table: String, constraint: [String: Any])] in
            guard s.statement.kind == "AlterTableStmt", let table = s.relation, !createdBefore(all, index: i).contains(table) else { return [] }
            return s.alterCommands.filter { $0["subtype"] as? String == "AT_AddConstraint" }.map { cmd in
                (s, table, (cmd["def"] as? [String: Any])?["Constraint"] as? [String: Any] ?? [:])
            }
        }
    }

    /// Tables created by earlier statements of the pending migrations: changing them locks nobody.
    static func createdBefore(_ all: [MigrationStatement], index: Int) -> Set<String> {
        Set(all[..<index].filter { $0.statement.kind == "CreateStmt" }.compactMap(\.relation))
    }
}

func strings(in node: Any, keys: Set<String>) -> [String] {
    if let dict = node as? [String: Any] {
        return dict.flatMap { key, value -> [String] in
            if keys.contains(key), let s = value as? String { return [s] }
            return strings(in: value, keys: keys)
        }
    }
    if let list = node as? [Any] { return list.flatMap { strings(in: $0, keys: keys) } }
    return []
}
