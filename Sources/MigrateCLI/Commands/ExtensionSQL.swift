import ArgumentParser
import Foundation
import PolicyGen

/// Prints the tenantwall extension's install script (the source of `sql/tenantwall--VERSION.sql`), or with
/// `--upgrade` the script from the previous version.
struct ExtensionSQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension-sql", abstract: "Print the tenantwall extension's install script.")

    @Option(help: ArgumentHelp("Print the upgrade script from this version to the next instead (\(HelperCore.previousVersions.joined(separator: ", "))).", valueName: "version"))
    var upgradeFrom: String?

    func validate() throws {
        if let from = upgradeFrom, !HelperCore.upgradeScripts.contains(where: { $0.from == from }) {
            throw ValidationError("no upgrade script from '\(from)' (known: \(HelperCore.previousVersions.joined(separator: ", ")))")
        }
    }

    func run() throws {
        let text = upgradeFrom.flatMap { from in HelperCore.upgradeScripts.first { $0.from == from }?.script } ?? HelperCore.extensionScript
        FileHandle.standardOutput.write(text.data(using: .utf8)!)
    }
}
