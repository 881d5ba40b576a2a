import ArgumentParser
import Foundation
import PolicyGen

/// Prints the tenantwall extension's install script (the source of `sql/tenantwall--VERSION.sql`), or with
/// `--upgrade` the script from the previous version.
struct ExtensionSQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension-sql", abstract: "Print the tenantwall extension's install script.")

    @Flag(help: "Print the upgrade script from \(HelperCore.previousVersions.joined(separator: ", ")) instead.")
    var upgrade = false

    func run() throws {
        FileHandle.standardOutput.write((upgrade ? HelperCore.upgradeScript : HelperCore.extensionScript).data(using: .utf8)!)
    }
}
