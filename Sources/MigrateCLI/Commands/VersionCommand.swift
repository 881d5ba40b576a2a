import ArgumentParser
import Foundation
import SQLParser

/// `tenantwall version`: the version, the commit it was built from, and the PostgreSQL grammar its parser
/// understands (migrations and audits use it), as text or JSON for scripts.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version, the commit and the PostgreSQL grammar version.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "text or json.") var format: Format = .text

    static var text: String { "tenantwall \(BuildInfo.version) (commit \(BuildInfo.commit), PostgreSQL \(SQLParser.grammarVersion) grammar)" }

    func run() throws {
        switch format {
        case .text: print(Self.text)
        case .json:
            let object = ["version": BuildInfo.version, "commit": BuildInfo.commit, "grammar": SQLParser.grammarVersion]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
