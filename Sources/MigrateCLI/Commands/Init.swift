import Adoption
import ArgumentParser
import Foundation
import PolicyGen
import Tenantwall

/// Brings an existing database under tenantwall: writes the spec that describes it as it is (tables by
/// isolation, roles from who holds grants, indexes, partitioning, the application's setters), with what it
/// cannot decide as `# QUESTION:` comments, and prints a summary of both.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a spec from an existing database's catalog, with questions for what it cannot decide.",
        discussion: "Without --format json the summary and the questions go to stderr; with it, the summary goes to stdout as JSON (snake_case keys). Exit codes: 0 written, 2 usage, connection error or an undecidable database (no tenant column, two candidates).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("The folder to write the spec into (refused when not empty, unless --force).", valueName: "dir"))
    var out: String

    @Flag(help: "Write into a folder that already holds files.")
    var force = false

    @Option(help: ArgumentHelp("The tenant column, when the detection should not choose it.", valueName: "name"))
    var tenantColumn: String?

    @Option(help: ArgumentHelp("Read only this schema (repeatable; default: every user schema).", valueName: "name"))
    var schema: [String] = []

    /// text: a summary and the questions on stderr; json: the summary on stdout, keys in snake_case (docs/adopt.md).
    @OptionGroup var output: FormatOptions

    func run() throws {
        var run = InitRun(out: out)
        run.force = force
        run.schemas = schema
        run.options.tenantColumn = tenantColumn
        try run.checkDestination()
        let result = try run.run(try connection.connect())
        if output.json { try output.print(result.summary, keys: .snakeCase) } else { Output.error(result.summary.text) }
    }
}
