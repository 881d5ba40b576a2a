import ArgumentParser
import Deploy
import Foundation
import Migrations
import Tenantwall

/// Applies pending migrations. Exit codes: 0 applied or nothing to do; 1 stopped before applying anything
/// (changed, failed or out-of-order files); 2 a migration failed (rolled back) or usage/connection error;
/// 3 the migration lock was not acquired within --lock-wait.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migrations from migrations/, each in its own transaction, under an advisory lock.",
        discussion: "Exit codes: 0 ok; 1 nothing applied because files changed, failed earlier or are out of order; 2 a migration failed (its transaction rolled back) or a usage/connection error; 3 the migration lock was not acquired within --lock-wait; 130/143 interrupted.")

    @OptionGroup var options: MigrationOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: FormatOptions

    @Option(help: "Stop after this version.")
    var target: String?

    @Flag(help: "Print what would run, in order, without changing the database.")
    var dryRun = false

    @Flag(help: "Apply pending versions older than the newest applied one.")
    var outOfOrder = false

    func validate() throws {
        if let target, Version(target) == nil { throw ValidationError("--target takes a version such as 3 or 2.1, not '\(target)'") }
    }

    func run() throws {
        options.noteChangedMeaning()
        let files = try options.files()
        let runner = MigrationRunner(connection: try connection.connect(), settings: options.settings, progress: Output.progress)
        let report: MigrationRunner.Report
        do {
            report = try runner.migrate(files, target: target.flatMap(Version.init), outOfOrder: outOfOrder, dryRun: dryRun)
        } catch let failure as MigrationFailed {
            // What committed before the failure is part of the outcome: list it on stdout, then fail (exit 2).
            switch output.format {
            case .json: try output.print(FailedRun(applied: failure.applied, failed: .init(file: failure.file, line: failure.line, column: failure.column,
                                                                                         sqlState: failure.error.sqlState, error: failure.error.message)))
            case .text:
                for applied in failure.applied { print("applied \(applied.file) (\(applied.milliseconds) ms)") }
                print("failed  \(failure.file) at line \(failure.line) (rolled back\(failure.applied.isEmpty ? "; nothing applied" : "; the files above stay applied"))")
            }
            throw failure
        }
        switch output.format {
        case .json: try output.print(report)
        case .text:
            if report.dryRun {
                print(report.wouldApply.isEmpty ? "dry run: nothing to apply" : "dry run: would apply, in order:")
                for name in report.wouldApply { print("  \(name)") }
                return
            }
            if report.lockWaitMilliseconds >= 200 {
                print("waited \(report.lockWaitMilliseconds) ms for the migration lock (held by backend \(report.lockHolder.map(String.init) ?? "?"))")
            }
            if report.applied.isEmpty { print("up to date: nothing to apply") }
            for applied in report.applied { print("applied \(applied.file) (\(applied.milliseconds) ms)") }
        }
    }
}

/// `migrate --format json` when a file fails: what was applied before it, and the failure.
struct FailedRun: Encodable {
    struct Failure: Encodable { var file: String; var line: Int; var column: Int; var sqlState: String?; var error: String }
    var applied: [MigrationRunner.Applied]
    var failed: Failure
}
