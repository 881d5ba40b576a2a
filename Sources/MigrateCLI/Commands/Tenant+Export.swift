import ArgumentParser
import Foundation
import Lifecycle

extension Tenant {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export every row of one tenant: a CSV and a JSON Lines file per table, and manifest.json.",
            discussion: """
                Covers every tenant table, the tenants table's row, and every table the tenant's rows reach by foreign key \
                (an order_lines table with no tenant column, through its order). Reads as the tenant, through the walls, in one \
                transaction that is rolled back, so the export never holds another tenant's row and changes nothing. The \
                manifest lists each table, its rows, how its rows are the tenant's, a SHA-256 per file (also in SHA256SUMS, for sha256sum -c) and the spec's fingerprint. \
                Connect as a superuser or the owner role. Exit codes: 0 exported, 2 usage, connection or tool error.
                """)
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The tenant id.") var id: String
        @Option(help: ArgumentHelp("A new or empty directory for the files.", valueName: "dir")) var out: String
        @OptionGroup var output: FormatOptions

        func validate() throws { try specOptions.require() }

        func run() throws {
            let manifest = try TenantExport(spec: try specOptions.load(), connection: try connection.connect())
                .run(tenant: id, into: URL(fileURLWithPath: out))
            if output.json { return try output.print(manifest) }
            print("exported tenant \(id) to \(out): \(manifest.tables.reduce(0) { $0 + $1.rows }) rows in \(manifest.tables.count) tables")
            for table in manifest.tables {
                let hidden = table.hiddenByWalls > 0 ? "; \(table.hiddenByWalls) more of the tenant's rows hidden from it by the walls, not exported" : ""
                let owner = table.readAs == "owner" ? "; read by the connecting role: the access role cannot read it" : ""
                print("  \(table.table): \(table.rows)  (\(table.reach)\(hidden)\(owner))")
            }
        }
    }
}
