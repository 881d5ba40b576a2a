import ArgumentParser
import Foundation
import Identity
import Migrations
import PolicyGen
import Tenantwall

extension Tenant {
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

        func validate() throws {
            try specOptions.require()
            try secret.require()
            try Durations.require(overlap, flag: "--overlap")
        }

        func run() throws {
            let spec = try specOptions.load()
            guard spec.tenancy.binding == .signed else { throw ToolError("the spec's tenancy.binding is '\(spec.tenancy.binding.rawValue)': signing keys are for 'signed'") }
            let key = try secret.secret()!
            let name = try SigningKeys.rotate(try connection.connect(), spec: spec, secret: key, id: id, overlap: Durations.seconds(overlap))
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

        func validate() throws {
            try specOptions.require()
            try secret.require()
            // Unchecked, a typo would mint a token that expired when it was made.
            try Durations.require(ttl, flag: "--ttl")
        }

        func run() throws {
            let spec = try specOptions.load()
            let value = JWT.claimValue(tenant, numeric: spec.tenancy.type.isNumeric)
            let expires = Date().addingTimeInterval(Durations.seconds(ttl))
            print(try JWT.sign(JWT.claims(path: spec.tenancy.claim, value: value, expires: expires), secret: try secret.secret()!))
        }
    }
}
