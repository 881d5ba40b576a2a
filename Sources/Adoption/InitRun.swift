import Foundation
import PolicyGen
import Postgres
import Tenantwall

/// `tenantwall init`: reads an existing database and writes the spec that describes it as it is, with the
/// questions only its author can answer. The I/O edge around `ExistingDatabaseReader`, `SpecInference` and
/// `SpecWriter`.
public struct InitRun {
    /// The folder the spec is written to.
    public var out: String
    /// Write into a folder that already holds files.
    public var force = false
    public var schemas: [String] = []
    public var options = SpecInference.Options()

    public init(out: String) { self.out = out }

    public struct Result {
        public var draft: SpecDraft
        /// The spec file written.
        public var path: String
        public var summary: InitSummary
    }

    /// Refuses a folder that holds anything (without `force`) before anything is read, so a mistyped path
    /// never costs a catalog read or overwrites a spec someone edited.
    public func checkDestination() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw ToolError("\(out) is a file; --out takes a folder") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: out)
        if !entries.isEmpty && !force {
            throw ToolError("\(out) is not empty (\(entries.count) entr\(entries.count == 1 ? "y" : "ies")); give --force to write into it")
        }
    }

    public func run(_ connection: Connection) throws -> Result {
        try checkDestination()
        let database = try ExistingDatabaseReader.read(connection, schemas: schemas, helperSchema: options.helperSchema)
        if database.tables.isEmpty {
            let which = schemas.isEmpty ? "any user schema" : "schema\(schemas.count == 1 ? "" : "s") " + schemas.joined(separator: ", ")
            throw AdoptionError("no tables in \(which) (system, extension and tenantwall schemas are left out)")
        }
        let draft = try SpecInference.infer(database, options: options)
        let name = try connection.query("SELECT current_database()").scalar ?? "spec"
        let path = (out as NSString).appendingPathComponent(Self.fileName(database: name))
        let header = [
            "Written by `tenantwall init` from database \(name) on \(database.today): the database as it is.",
            "Lines marked QUESTION need your decision. Then: tenantwall check --spec \(out), and tenantwall plan --spec \(out) --database … to see what would change.",
        ]
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let text = SpecWriter.write(draft, header: header)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        var summary = InitSummary(draft, file: path)
        // What check would say, so that a database the spec cannot describe yet is reported now, not at the next step.
        do { _ = try SpecLoader.load([(path, text)]) } catch let errors as SpecErrors {
            summary.checkErrors = errors.diagnostics.filter { $0.severity == .error }.map { "\($0.location.map { "\($0.file):\($0.line):\($0.column): " } ?? "")error: \($0.message)" }
        }
        return Result(draft: draft, path: path, summary: summary)
    }

    /// `<database>.yaml`, with anything but letters, digits, `-` and `_` replaced.
    static func fileName(database: String) -> String {
        let safe = String(database.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return (safe.isEmpty ? "spec" : safe) + ".yaml"
    }
}
