import Foundation
import Tenantwall

/// The files one side is built from, on disk: the spec paths and the migrations folder, found under the side's
/// root (a folder given on the command line, or a git ref's files extracted into a temporary folder).
public struct SideFiles: Sendable {
    /// The folder `--spec` and `--migrations` are relative to.
    public var root: String
    public var specPaths: [String]
    public var migrations: String?
    /// The commit a git ref named (full hash), for the report.
    public var revision: String?
    /// A temporary folder to remove once the side is built (a git ref's files).
    public var temporary: String?

    /// The spec and migrations under `root`: the `--spec` paths and `--migrations` folder when given (each
    /// must exist), else the `*.yaml` files in `root` and `root/migrations` where they exist. At least one of
    /// the two must be there: a side with neither would compare an empty database.
    public static func locate(root: String, spec: [String], migrations: String?, describe: String) throws -> SideFiles {
        let fm = FileManager.default
        func under(_ path: String) -> String { path.hasPrefix("/") ? path : (root as NSString).appendingPathComponent(path) }
        var specPaths: [String] = []
        for path in spec {
            guard fm.fileExists(atPath: under(path)) else { throw ToolError("\(describe) has no spec at \(path)") }
            specPaths.append(under(path))
        }
        if spec.isEmpty, let names = try? fm.contentsOfDirectory(atPath: root), names.contains(where: Self.isSpecFile) {
            specPaths = [root]
        }
        var folder: String?
        if let migrations {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: under(migrations), isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ToolError("\(describe) has no migrations folder at \(migrations)")
            }
            folder = under(migrations)
        } else {
            var isDirectory: ObjCBool = false
            let candidate = under("migrations")
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue { folder = candidate }
        }
        guard !specPaths.isEmpty || folder != nil else {
            throw ToolError("\(describe) has neither a spec (*.yaml) nor a migrations/ folder: give --spec or --migrations")
        }
        return SideFiles(root: root, specPaths: specPaths, migrations: folder)
    }

    static func isSpecFile(_ name: String) -> Bool { name.hasSuffix(".yaml") || name.hasSuffix(".yml") }

    /// Removes the temporary folder, if any.
    public func removeTemporary() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
