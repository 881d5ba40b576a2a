import ArgumentParser
import Foundation
import Lifecycle
import PolicyGen

/// `tenantwall tenant-column`: onboarding single-tenant tables (docs/lifecycle.md, "A tenant column for a
/// single-tenant table").
struct TenantColumn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant-column",
        abstract: "Give a single-tenant table a tenant column without long locks.",
        subcommands: [Add.self])
}

/// The failure names the step; the exit code is 2 like every tool error.
extension TenantColumnError: CommandFailure {}
extension TenantColumnSource.Invalid: CommandFailure {}

extension TenantColumn {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add, fill, prove NOT NULL and index a tenant column, each step with a lock timeout and resumable.",
            discussion: """
                Steps: 1. ADD COLUMN (nullable, no default: no rewrite) with a fill-in for new rows (a DEFAULT for tenant:<id>, \
                a trigger reading the parent otherwise); 2. fill in batches, each its own transaction; 3. a CHECK (col IS NOT NULL) \
                NOT VALID, then VALIDATE; 4. SET NOT NULL through the check (no scan), drop the check; 5. CREATE INDEX CONCURRENTLY. \
                Each statement runs with lock_timeout and is tried again on 55P03; a rerun skips what the catalog shows done. \
                --from: \(TenantColumnSource.grammar). The fill-in stays after the run (the application may not write the column \
                yet) unless --drop-fill. --emit-migration writes the same steps as a migration file for `tenantwall migrate` \
                and changes nothing.
                """)

        @Argument(help: ArgumentHelp("The table, as schema.table (public when no schema).", valueName: "schema.table")) var table: String
        @Option(help: ArgumentHelp("Where each row's tenant comes from: \(TenantColumnSource.grammar).", valueName: "source")) var from: String
        @Option(help: "The new column (default: the spec's tenant column, else tenant_id).") var column: String?
        @Option(help: "With fk:<constraint>: the parent's tenant column (default: the new column's name).") var parentColumn: String?
        @Option(help: "With tenant:<id>: the column's type, uuid, bigint, integer or text (default: the spec's).") var type: String?
        @Option(help: "Rows per batch of the fill.") var batch = 10_000
        @Option(help: ArgumentHelp("PostgreSQL's lock_timeout for every statement.", valueName: "duration")) var lockTimeout = "2s"
        @Option(help: "How many times a statement that ran out of lock_timeout (55P03) is tried again.") var lockRetries = 5
        @Flag(help: "Remove the fill-in (DEFAULT or trigger) at the end, once the application writes the column itself.") var dropFill = false
        @Option(help: ArgumentHelp("Write the steps as a migration file instead of running them.", valueName: "file")) var emitMigration: String?
        @OptionGroup var specOptions: SpecOptions
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            try Durations.require(lockTimeout, flag: "--lock-timeout")
            guard batch > 0 else { throw ValidationError("--batch takes a positive number of rows") }
            guard (0...100).contains(lockRetries) else { throw ValidationError("--lock-retries takes 0 to 100") }
            if let type, TenantType(rawValue: type) == nil {
                throw ValidationError("--type takes one of \(TenantType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            do { _ = try TenantColumnSource.parse(from) } catch let invalid as TenantColumnSource.Invalid { throw ValidationError(invalid.description) }
        }

        func run() throws {
            let spec = specOptions.spec.isEmpty ? nil : try specOptions.load()
            // The first dot splits: `public.table.v2` is table `table.v2` in `public`.
            let dot = table.firstIndex(of: ".")
            let (schema, name) = dot.map { (String(table[..<$0]), String(table[table.index(after: $0)...])) } ?? ("public", table)
            let db = try connection.connect()
            let plan = try TenantColumnTarget(connection: db).plan(
                schema: schema, table: name, column: column ?? spec?.tenancy.column ?? "tenant_id", source: try TenantColumnSource.parse(from),
                constantType: type ?? spec?.tenancy.type.rawValue, parentColumn: parentColumn, batchSize: batch)
            if let emitMigration {
                try Data(plan.migration(lockTimeout: lockTimeout, lockRetries: lockRetries, dropFill: dropFill).utf8).write(to: URL(fileURLWithPath: emitMigration))
                return print("wrote \(emitMigration): \(schema).\(name) gains \(plan.column) (\(plan.type)); run it with tenantwall migrate")
            }
            let run = TenantColumnOnboarding(connection: db, plan: plan)
            run.lockTimeout = lockTimeout
            run.lockRetries = lockRetries
            run.dropFill = dropFill
            run.log = { line in Output.error(line) }
            let terminal = isatty(STDERR_FILENO) == 1
            run.progress = { rows in if terminal { FileHandle.standardError.write(Data("\r  filled \(rows) rows".utf8)) } }
            let report = try run.run()
            if terminal && report.rowsFilled > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
            if output.json { return try output.print(report) }
            print("\(schema).\(name).\(plan.column) (\(plan.type)): filled \(report.rowsFilled) rows in \(report.batches) batches, NOT NULL, indexed")
            print(String(format: "total %.2f s; longest ACCESS EXCLUSIVE statement %.3f s; %d lock retries", report.seconds, report.longestExclusiveSeconds, report.retries))
            if !dropFill { print("the fill-in for new rows stays (\(plan.installFill.count == 1 ? "a DEFAULT" : "trigger \(plan.triggerName)")); rerun with --drop-fill once the application writes \(plan.column)") }
        }
    }
}
