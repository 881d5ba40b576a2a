import ArgumentParser

/// Tenant identity: provisioning (add, list, export, remove) and, for the `signed` binding, signing keys and tokens.
/// Each subcommand lives in its own file (`Tenant+Provisioning.swift`, `Tenant+Export.swift`, `Tenant+Remove.swift`, `Tenant+Signing.swift`).
struct Tenant: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Provision tenants; signing keys and tokens for the signed tenant binding.",
        discussion: "Exit codes: 0 ok, 2 usage, connection or tool error (a tenant that does not exist, a spec without a tenants table).",
        subcommands: [Add.self, List.self, Export.self, Remove.self, RotateSecret.self, Token.self])
}
