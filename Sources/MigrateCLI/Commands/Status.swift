import ArgumentParser
import Deploy
import Foundation
import Migrations
import Tenantwall

/// Lists every migration's state. Exit 0 when up to date, 1 when anything is pending, changed or failed.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show applied, pending, changed and failed migrations; exit 1 when anything needs attention.")

    @OptionGroup var options: MigrationOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: FormatOptions

    struct Entry: Codable {
        var file: String
        var kind: String
        var version: String?
        var state: String
        var appliedAt: String?
        var appliedBy: String?
        var failedLine: Int?
        var error: String?
    }

    /// `status --format json`.
    struct Listing: Codable {
        var upToDate: Bool
        var migrations: [Entry]
    }

    func run() throws {
        let files = try options.files()
        let runner = MigrationRunner(connection: try connection.connect(), settings: options.settings)
        let plan = try runner.plan(files, target: nil, outOfOrder: true)
        let entries = plan.statuses.map { s in
            Entry(file: s.name, kind: s.kind, version: s.version?.text, state: s.state.rawValue,
                  appliedAt: s.row?.appliedAt, appliedBy: s.row?.appliedBy, failedLine: s.row?.failedLine, error: s.row?.error)
        }
        switch output.format {
        case .json: try output.print(Listing(upToDate: plan.upToDate, migrations: entries))
        case .text:
            for e in entries {
                var line = "\(e.state.padding(toLength: 9, withPad: " ", startingAt: 0)) \(e.file)"
                if let at = e.appliedAt, e.state == "applied" { line += "  (\(at) by \(e.appliedBy ?? "?"))" }
                if e.state == "failed" { line += "  stopped at line \(e.failedLine.map(String.init) ?? "?"): \(e.error ?? "")" }
                print(line)
            }
            print(plan.upToDate ? "up to date" : "needs attention")
        }
        if !plan.upToDate { throw ExitCode(ExitCodes.finding) }
    }
}
