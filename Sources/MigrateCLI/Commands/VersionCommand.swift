import ArgumentParser
import Foundation
import SQLParser

/// `tenantwall version`: the version, the commit it was built from, and the PostgreSQL grammar its parser
/// understands (migrations and audits use it), as text or JSON for scripts.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version, the commit and the PostgreSQL grammar version.")

    @OptionGroup var output: FormatOptions

    /// `version --format json`.
    struct Result: Encodable { var version, commit, grammar: String }

    static var text: String { "tenantwall \(BuildInfo.version) (commit \(BuildInfo.commit), PostgreSQL \(SQLParser.grammarVersion) grammar)" }

    func run() throws {
        if output.json {
            try output.print(Result(version: BuildInfo.version, commit: BuildInfo.commit, grammar: SQLParser.grammarVersion))
        } else {
            print(Self.text)
        }
    }
}
