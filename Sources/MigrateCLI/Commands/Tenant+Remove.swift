import ArgumentParser
import Foundation
import Identity
import Lifecycle

extension Tenant {
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a tenant; its data stays unless --delete-data, which deletes every row of it and writes an erasure certificate.",
            discussion: """
                --delete-data covers the tables `tenant export` reads (tenant tables, the tenants table, tables reached by foreign key), \
                children before parents, in one transaction, and the certificate says what was deleted per table and what remains \
                and why (the removal's own record, the change trail, materialized views and continuous aggregates until their next refresh, \
                backups). --redact-trail also empties the old and new values of the tenant's change-trail entries (audit_trail:), in the same \
                transaction, through the audited trail_redact step: the entries and their hash chain stay, so the trail still verifies. \
                --dry-run does all of it in a transaction that is rolled back: the counts are real and nothing changes.
                """)
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tenant id.") var id: String
        @Flag(help: "Also delete every row of the tenant, in one transaction.") var deleteData = false
        @Flag(help: "With --delete-data: count and report everything, then roll back.") var dryRun = false
        @Flag(help: "With --delete-data: also empty the values of the tenant's change-trail entries (the chain still verifies).") var redactTrail = false
        @Option(help: ArgumentHelp("With --delete-data: write the erasure certificate (JSON) to this file.", valueName: "file")) var certificate: String?
        @OptionGroup var output: FormatOptions

        /// `--format json`: the removal, and with --delete-data the certificate.
        struct Result: Encodable {
            var tenant: String
            var deletedData: Bool
            var rows: [String: Int]
            var certificate: ErasureCertificate?
        }

        func validate() throws {
            try specOptions.require()
            if (dryRun || certificate != nil || redactTrail) && !deleteData { throw ValidationError("--dry-run, --certificate and --redact-trail go with --delete-data") }
        }

        func run() throws {
            let spec = try specOptions.load(), db = try connection.connect()
            guard deleteData else {
                _ = try Provisioning(spec: spec, connection: db).remove(id: id)
                if output.json { return try output.print(Result(tenant: id, deletedData: false, rows: [:], certificate: nil)) }
                return print("recorded the removal of tenant \(id); its data is untouched (--delete-data removes it)")
            }
            let erasure = try TenantErasure(spec: spec, connection: db).run(tenant: id, dryRun: dryRun, redactTrail: redactTrail)
            if let certificate {
                try Data(ErasureCertificate.json(erasure).utf8).write(to: URL(fileURLWithPath: certificate))
            }
            let rows = Dictionary(uniqueKeysWithValues: erasure.deleted.map { ($0.table, $0.rows) })
            if output.json { return try output.print(Result(tenant: id, deletedData: true, rows: rows, certificate: erasure)) }
            print(dryRun ? "dry run: removing tenant \(id) would delete (nothing was changed):" : "removed tenant \(id) and its rows:")
            for row in erasure.deleted { print("  \(row.table): \(row.rows)") }
            print("what remains:")
            for item in erasure.remaining {
                print("  \(item.where)\(item.rows.map { ": \($0) rows" } ?? ""): \(item.what); \(item.why)")
            }
            if let certificate { print("certificate: \(certificate)") }
        }
    }
}
