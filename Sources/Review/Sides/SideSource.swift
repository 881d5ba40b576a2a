import Foundation
import Tenantwall

/// Where one side of a review comes from: a folder on disk, a git ref of the repository around the current
/// directory, or a live database read as it is.
///
/// A folder and a ref are built from scratch (the migrations, then the spec) so that what is compared is what
/// PostgreSQL holds after the change; a live database is only read (read-only, like `audit`).
public enum SideSource: Sendable, Equatable {
    case directory(String)
    case gitRef(String)
    case database(String)

    /// `--base X` / `--head X`: a folder when X names one, else a git ref; `--base-database` wins over neither
    /// (giving both is a usage error the command reports before this runs).
    public static func parse(_ argument: String?, database: String?) throws -> SideSource {
        if let database { return .database(database) }
        guard let argument, !argument.isEmpty else { throw ToolError("no side given") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ToolError("\(argument) is a file: a side is a folder (spec *.yaml and/or migrations/) or a git ref") }
            return .directory(argument)
        }
        return .gitRef(argument)
    }

    /// How reports name the side: `folder base/`, `git ref origin/main`, `live database`.
    public var label: String {
        switch self {
        case .directory(let path): return "folder \(path)"
        case .gitRef(let ref): return "git ref \(ref)"
        case .database: return "live database"
        }
    }
}
