import ArgumentParser
import Foundation
import Migrations
import PolicyGen
import Postgres
import Tenantwall

/// Writes the SQL that brings a database to the spec, as the next versioned migration or to stdout: one file
/// for the transaction and, when the spec has indexes to build, a second marked `-- tenantwall:no-transaction`
/// whose builds are `CONCURRENTLY`, so that a table that holds rows keeps taking writes while they run.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate the SQL for a spec: the next versioned file(s) in migrations/, or stdout.",
        discussion: "With --database (read only), indexes the database already has that lead with the tenant column are reused, and a partitioned table's index is built partition by partition, CONCURRENTLY.")

    @OptionGroup var specOptions: SpecOptions

    @Option(help: ArgumentHelp("Folder of versioned migrations.", valueName: "dir"))
    var migrations = "migrations"

    @Option(help: "Description part of the file name (default: the spec folder's name).")
    var name: String?

    @Flag(help: "Print the SQL instead of writing migration files.")
    var stdout = false

    /// Only when `--database` is given: the tables, indexes and partitions it has are read (nothing changes).
    @OptionGroup var connection: ConnectionOptions

    func validate() throws { try specOptions.require() }

    func run() throws {
        let spec = try specOptions.load()
        let live = try connection.connectIfGiven().map { try LiveShape.read($0, spec: spec) }
        let generator = Generator(spec: spec, live: live)
        let sql = generator.script(), indexes = generator.indexScript()
        if stdout {
            FileHandle.standardOutput.write((sql + (indexes.isEmpty ? "" : "\n" + indexes)).data(using: .utf8)!)
            return
        }
        let description = name ?? MigrationName.description(from: specOptions.spec.first ?? "spec")
        let files = [(description, sql), (description + "_indexes", indexes)].filter { !$0.1.isEmpty }
        try FileManager.default.createDirectory(atPath: migrations, withIntermediateDirectories: true)
        var existing = try FileManager.default.contentsOfDirectory(atPath: migrations)
        let upToDate = files.allSatisfy { described, text in
            MigrationName.latest(existing, describedAs: described).map { FileManager.default.contents(atPath: migrations + "/" + $0) == text.data(using: .utf8) } ?? false
        }
        if upToDate {
            for (described, _) in files { print("\(migrations)/\(MigrationName.latest(existing, describedAs: described)!) is up to date") }
            return
        }
        for (described, text) in files {
            let file = MigrationName.next(existing, description: described)
            let path = (migrations as NSString).appendingPathComponent(file)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            existing.append(file)
            print(path)
        }
    }
}
