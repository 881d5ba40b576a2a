import ArgumentParser
import Foundation
import Identity
import PolicyGen
import Tenantwall

extension Tenant {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a tenant: its row in the tenants table, and a record in tenant_events.")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tenant id.") var id: String
        @Option(name: .customLong("set"), help: ArgumentHelp("A column of the tenants table (repeatable).", valueName: "column=value")) var values: [String] = []
        @OptionGroup var output: FormatOptions

        /// `tenant add --format json`. The id is a string whatever the tenant type: as given, escaped by the writer.
        struct Result: Encodable { var action = "add"; var tenant: String }

        func validate() throws {
            try specOptions.require()
            for item in values where !item.contains("=") { throw ValidationError("--set takes column=value, not '\(item)'") }
        }

        /// `--set` as columns and values; `validate()` has checked that each has an `=`.
        var columns: [String: String] {
            var pairs: [String: String] = [:]
            for item in values {
                let eq = item.firstIndex(of: "=")!
                pairs[String(item[..<eq])] = String(item[item.index(after: eq)...])
            }
            return pairs
        }

        func run() throws {
            try Provisioning(spec: try specOptions.load(), connection: try connection.connect()).add(id: id, values: columns)
            if output.json { try output.print(Result(tenant: id)) } else { print("added tenant \(id)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants table.")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws { try specOptions.require() }

        func run() throws {
            let rows = try Provisioning(spec: try specOptions.load(), connection: try connection.connect()).list()
            // One object per row, every column as text (null for NULL).
            if output.json { return try output.print(rows) }
            for row in rows { print(row.keys.sorted().map { "\($0)=\((row[$0] ?? nil) ?? "NULL")" }.joined(separator: "  ")) }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a tenant; its data stays unless --delete-data, which reports the rows removed per table.")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tenant id.") var id: String
        @Flag(help: "Also delete every row of the tenant, in one transaction.") var deleteData = false
        @OptionGroup var output: FormatOptions

        func validate() throws { try specOptions.require() }

        func run() throws {
            let removal = try Provisioning(spec: try specOptions.load(), connection: try connection.connect()).remove(id: id, deleteData: deleteData)
            if output.json {
                try output.print(removal)
            } else if deleteData {
                print("removed tenant \(id) and its rows:")
                for (table, n) in removal.rows.sorted(by: { $0.key < $1.key }) { print("  \(table): \(n)") }
            } else {
                print("recorded the removal of tenant \(id); its data is untouched (--delete-data removes it)")
            }
        }
    }
}
