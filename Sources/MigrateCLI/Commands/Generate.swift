import ArgumentParser
import Foundation
import Migrations
import PolicyGen

/// Writes the SQL that brings a database to the spec, as the next versioned migration or to stdout.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the SQL for a spec: the next versioned file in migrations/, or stdout.")

    @OptionGroup var specOptions: SpecOptions

    @Option(help: ArgumentHelp("Folder of versioned migrations.", valueName: "dir"))
    var migrations = "migrations"

    @Option(help: "Description part of the file name (default: the spec folder's name).")
    var name: String?

    @Flag(help: "Print the SQL instead of writing a migration file.")
    var stdout = false

    func run() throws {
        let spec = try specOptions.load()
        let sql = Generator(spec: spec).script()
        if stdout {
            FileHandle.standardOutput.write(sql.data(using: .utf8)!)
            return
        }
        let description = name ?? MigrationName.description(from: specOptions.spec.first ?? "spec")
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        let existing = try FileManager.default.contentsOfDirectory(atPath: migrations)
        if let latest = MigrationName.latest(existing, describedAs: description),
           FileManager.default.contents(atPath: migrations + "/" + latest) == sql.data(using: .utf8) {
            print("\(migrations)/\(latest) is up to date")
            return
        }
        let file = MigrationName.next(existing, description: description)
        let path = (migrations as NSString).appendingPathComponent(file)
        try sql.write(toFile: path, atomically: true, encoding: .utf8)
        print(path)
    }
}
