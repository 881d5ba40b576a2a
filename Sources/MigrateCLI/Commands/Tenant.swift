import ArgumentParser
import Foundation
import Identity
import Migrations
import PolicyGen
import Tenantwall

/// Tenant identity for the `signed` binding: rotate the signing key, mint a token for development.
struct Tenant: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Signing keys and tokens for the signed tenant binding.",
        subcommands: [Add.self, List.self, Remove.self, RotateSecret.self, Token.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a tenant: its row in the tenants table, and a record in tenant_events.")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tenant id.") var id: String
        @Option(name: .customLong("set"), help: ArgumentHelp("A column of the tenants table (repeatable).", valueName: "column=value")) var values: [String] = []
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() throws {
            var pairs: [String: String] = [:]
            for item in values {
                guard let eq = item.firstIndex(of: "=") else { throw ValidationError("--set takes column=value, not '\(item)'") }
                pairs[String(item[..<eq])] = String(item[item.index(after: eq)...])
            }
            try Provisioning(spec: try specOptions.load(), connection: try connection.connect()).add(id: id, values: pairs)
            print(format == .json ? #"{"action":"add","tenant":"\#(id)"}"# : "added tenant \(id)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenants table.")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() throws {
            let rows = try Provisioning(spec: try specOptions.load(), connection: try connection.connect()).list()
            if format == .json {
                let plain = rows.map { $0.mapValues { $0 ?? NSNull() as Any } }
                let data = try JSONSerialization.data(withJSONObject: plain, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                for row in rows { print(row.keys.sorted().map { "\($0)=\((row[$0] ?? nil) ?? "NULL")" }.joined(separator: "  ")) }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Retire a tenant; its data stays unless --delete-data, which reports the rows removed per table.")
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The tenant id.") var id: String
        @Flag(help: "Also delete every row of the tenant, in one transaction.") var deleteData = false
        @Option(help: "text or json.") var format: OutputFormat = .text

        func run() throws {
            let removal = try Provisioning(spec: try specOptions.load(), connection: try connection.connect()).remove(id: id, deleteData: deleteData)
            if format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(removal), as: UTF8.self))
            } else if deleteData {
                print("removed tenant \(id) and its rows:")
                for (table, n) in removal.rows.sorted(by: { $0.key < $1.key }) { print("  \(table): \(n)") }
            } else {
                print("recorded the removal of tenant \(id); its data is untouched (--delete-data removes it)")
            }
        }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Add a signing key from --secret-env/--secret-file; the previous keys stay valid for --overlap.")

        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var secret: SecretOptions

        @Option(help: "How long tokens signed with the previous keys stay valid (e.g. 1h, 15min, 0s).")
        var overlap = "1h"

        @Option(help: "A name for the key (default: key-<time>).")
        var id: String?

        func run() throws {
            let spec = try specOptions.load()
            guard spec.tenancy.binding == .signed else { throw ToolError("the spec's tenancy.binding is '\(spec.tenancy.binding.rawValue)': signing keys are for 'signed'") }
            guard let secret = try secret.secret() else { throw ValidationError("give the secret with --secret-env NAME or --secret-file PATH") }
            guard Directives.isDuration(overlap) else { throw ValidationError("--overlap takes a duration such as 1h or 15min") }
            let name = try SigningKeys.rotate(try connection.connect(), spec: spec, secret: secret, id: id, overlap: MigrationOptions.seconds(overlap))
            print("added signing key \(name); earlier keys retire in \(overlap)")
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mint an HS256 token for a tenant (development and tests).")

        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var secret: SecretOptions

        @Option(help: "The tenant id.")
        var tenant: String

        @Option(help: "How long the token is valid (e.g. 15min).")
        var ttl = "15min"

        func run() throws {
            let spec = try specOptions.load()
            guard let secret = try secret.secret() else { throw ValidationError("give the secret with --secret-env NAME or --secret-file PATH") }
            let value = JWT.claimValue(tenant, numeric: spec.tenancy.type.isNumeric)
            let expires = Date().addingTimeInterval(MigrationOptions.seconds(ttl))
            print(try JWT.sign(JWT.claims(path: spec.tenancy.claim, value: value, expires: expires), secret: secret))
        }
    }
}
