import ArgumentParser
import Foundation
import Migrations
import Tenantwall

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Options shared by `migrate`, `status`, `baseline` and `repair`.
struct MigrationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of V<version>__<name>.sql and R__<name>.sql files.", valueName: "dir"))
    var migrations = "migrations"

    @Option(help: "Output: text for people, json for machines.")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("How long to wait for another runner's migration lock (e.g. 30s, 2min).", valueName: "duration"))
    var lockTimeout = "60s"

    @Option(help: ArgumentHelp("lock_timeout for every migration, unless the file says otherwise.", valueName: "duration"))
    var migrationLockTimeout = "10s"

    @Option(help: ArgumentHelp("statement_timeout for every migration, unless the file says otherwise.", valueName: "duration"))
    var statementTimeout = "30min"

    func validate() throws {
        for (name, value) in [("--lock-timeout", lockTimeout), ("--migration-lock-timeout", migrationLockTimeout), ("--statement-timeout", statementTimeout)] {
            if !Directives.isDuration(value) { throw ValidationError("\(name) takes a duration such as 500ms, 10s, 5min or 1h, not '\(value)'") }
        }
    }

    var settings: MigrationRunner.Settings {
        var settings = MigrationRunner.Settings()
        settings.lockWait = Self.seconds(lockTimeout)
        settings.lockTimeout = migrationLockTimeout
        settings.statementTimeout = statementTimeout
        return settings
    }

    func files() throws -> [MigrationFile] { try MigrationFolder.read(migrations) }

    static func seconds(_ duration: String) -> TimeInterval {
        let digits = duration.prefix { $0.isNumber }
        let value = Double(digits) ?? 0
        switch duration.dropFirst(digits.count) {
        case "ms", "": return value / 1000
        case "min": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: return value
        }
    }

    func printJSON<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) { print(text) }
    }
}
