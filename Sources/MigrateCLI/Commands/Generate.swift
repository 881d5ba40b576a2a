import ArgumentParser
import Foundation
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

/// `V0003__add_audit_log.sql`: a version of four or more digits, two underscores, a description.
enum MigrationName {
    static func version(_ file: String) -> Int? {
        guard file.hasPrefix("V"), let range = file.range(of: "__") else { return nil }
        return Int(file[file.index(after: file.startIndex)..<range.lowerBound])
    }

    static func description(from path: String) -> String {
        let base = ((path as NSString).standardizingPath as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        let cleaned = stem.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return "tenantwall_" + String(cleaned)
    }

    static func next(_ files: [String], description: String) -> String {
        let top = files.compactMap(version).max() ?? 0
        return String(format: "V%04d__%@.sql", top + 1, description)
    }

    static func latest(_ files: [String], describedAs description: String) -> String? {
        files.filter { version($0) != nil && $0.hasSuffix("__\(description).sql") }.max { version($0)! < version($1)! }
    }
}
