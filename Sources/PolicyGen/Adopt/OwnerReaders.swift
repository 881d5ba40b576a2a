import Foundation

/// What the owner runs that reads tenant rows: its materialized views over tenant tables (directly or through
/// another such view) and its functions that name one. Under FORCE ROW LEVEL SECURITY with policies only for
/// the access roles, the owner sees no row, so each refresh would silently empty the view and each job would
/// touch nothing: their presence is why `init` writes `roles.owner_access: all`.
public enum OwnerReaders {
    /// Qualified names of the views, and `schema.name()` signatures of the functions, sorted.
    public static func find(_ database: ExistingDatabase, owner: String, tenantTables: Set<String>) -> [String] {
        var reading = tenantTables
        var views: [String] = []
        // A view over a view over a tenant table reads tenant rows too: repeat until nothing new is found.
        var changed = true
        while changed {
            changed = false
            for view in database.materializedViews where !reading.contains(view.name) && view.reads.contains(where: reading.contains) {
                reading.insert(view.name)
                if view.owner == owner { views.append(view.name) }
                changed = true
            }
        }
        let functions = database.functions.filter { $0.owner == owner && names(any: reading, in: $0.body ?? "") }.map(\.signature)
        return views.sorted() + functions.sorted()
    }

    /// Whether the text names one of the relations: `schema.name` (quoted or not) anywhere, or the bare name
    /// after FROM, JOIN, UPDATE, INTO, TABLE or VIEW.
    static func names(any relations: Set<String>, in body: String) -> Bool {
        relations.contains { relation in
            let parts = relation.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return false }
            let schema = NSRegularExpression.escapedPattern(for: parts[0]), name = NSRegularExpression.escapedPattern(for: parts[1])
            let qualified = #"(?i)"?\b"# + schema + #""?\s*\.\s*"?"# + name + #"\b"#
            let bare = #"(?i)\b(from|join|update|into|table|view)\s+"?"# + name + #"\b"?(?!\s*\.)"#
            return body.range(of: qualified, options: .regularExpression) != nil || body.range(of: bare, options: .regularExpression) != nil
        }
    }
}
