import Catalog

extension AccessModel {
    /// A view's reach: its options and query, and, since it runs with its owner's rights unless
    /// `security_invoker`, which tables it reads that its owner reaches unfiltered.
    static func viewReach(_ view: DatabaseCatalog.Table, in catalog: DatabaseCatalog) -> ViewReach {
        let reads = Set(catalog.dependencies.filter { $0.view == view.qualified }.map(\.table)).sorted()
        let owner = RoleFacts(view.owner, in: catalog)
        let unfiltered = reads.compactMap { name -> String? in
            guard let table = catalog.table(name), privilege(of: owner, on: table, for: .select) != .none,
                  case .unfiltered(let why) = tableReach(of: owner, on: table, for: .select, in: catalog) else { return nil }
            return "\(name): \(why)"
        }
        let definition = view.definition ?? ""
        return ViewReach(owner: view.owner, securityInvoker: option("security_invoker", of: view), securityBarrier: option("security_barrier", of: view),
                         checkOption: view.options.contains { $0.hasPrefix("check_option=") }, definition: definition,
                         condition: ViewFilter.condition(of: definition), reads: reads, ownerUnfiltered: unfiltered)
    }

    /// Whether a boolean reloption is on. reloptions keep the value as written, and PostgreSQL reads any spelling
    /// `parse_bool` takes (`yes`, `on`, `1`, a prefix of `true`), so each counts.
    static func option(_ name: String, of table: DatabaseCatalog.Table) -> Bool {
        table.options.contains { option in
            guard option.hasPrefix(name + "=") else { return false }
            let value = option.dropFirst(name.count + 1).lowercased()
            return !value.isEmpty && ("true".hasPrefix(value) || "yes".hasPrefix(value) || value == "on" || value == "1")
        }
    }
}
