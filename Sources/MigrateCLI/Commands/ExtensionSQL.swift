import ArgumentParser
import Foundation
import PolicyGen

/// Prints the tenantwall extension's install script (the source of `sql/tenantwall--VERSION.sql`).
struct ExtensionSQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension-sql", abstract: "Print the tenantwall extension's install script.")

    func run() throws {
        FileHandle.standardOutput.write(HelperCore.extensionScript.data(using: .utf8)!)
    }
}
