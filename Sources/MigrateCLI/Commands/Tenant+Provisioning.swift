import ArgumentParser
import Foundation
import Identity
import PolicyGen
import Tenantwall

extension Tenant {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a tenant: its row in the tenants table, and a record in tenant_events.",
            discussion: "In the role binding, also its login role: a member of the app role, or of a read-only role (--member-of, --read-only) for a dashboard, with a Grafana data-source file (--grafana-datasource).")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tenant id.") var id: String
        @Option(name: .customLong("set"), help: ArgumentHelp("A column of the tenants table (repeatable).", valueName: "column=value")) var values: [String] = []
        @OptionGroup var loginOptions: TenantLoginOptions
        @OptionGroup var output: FormatOptions

        /// `tenant add --format json`. The id is a string whatever the tenant type: as given, escaped by the writer.
        struct Result: Encodable { var action = "add"; var tenant: String }

        func validate() throws {
            try specOptions.require()
            for item in values where !item.contains("=") { throw ValidationError("--set takes column=value, not '\(item)'") }
            if loginOptions.toStdout && output.json { throw ValidationError("--grafana-datasource - writes YAML on stdout: not with --format json") }
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
            let spec = try specOptions.load()
            let login = try loginOptions.login(for: spec)
            let db = try connection.connect()
            let provisioning = Provisioning(spec: spec, connection: db)
            try loginOptions.prepareFile()
            do {
                try provisioning.add(id: id, values: columns, login: login)
            } catch {
                if let path = loginOptions.grafanaDatasource, !loginOptions.toStdout { try? FileManager.default.removeItem(atPath: path) }
                throw error
            }
            if let password = login.password, loginOptions.grafanaDatasource != nil {
                try loginOptions.write(GrafanaDataSource(
                    name: "\(db.settings.database) tenant \(id)", user: provisioning.tenantRole(id), password: password,
                    settings: db.settings, serverVersion: db.serverVersion, orgID: loginOptions.grafanaOrgId))
            }
            if output.json {
                try output.print(Result(tenant: id))
            } else if loginOptions.toStdout {
                FileHandle.standardError.write(Data("added tenant \(id)\n".utf8))
            } else {
                print("added tenant \(id)")
            }
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
}
