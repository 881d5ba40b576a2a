import Foundation
import Tenantwall

/// A git ref's spec and migrations, extracted with `git archive` into a temporary folder: no checkout, no
/// change to the working tree or the index, so a review runs in a dirty clone and in CI alike.
///
/// Paths are those of the current directory inside the repository: `--spec policies/app` at ref `main` is
/// `policies/app` as `main` has it, relative to where the command runs.
public enum GitSnapshot {
    /// Extracts `spec` (default: the `*.yaml` files of the current directory) and `migrations` (default:
    /// `migrations/`, when the ref has it) of `ref` from the repository around `directory`.
    public static func extract(ref: String, spec: [String], migrations: String?, directory: String,
                               describe: String) throws -> SideFiles {
        let top = try git(["rev-parse", "--show-toplevel"], in: directory, describe: describe, failure: "\(directory) is not inside a git repository, and \(ref) is not a folder")
        let prefix = try git(["rev-parse", "--show-prefix"], in: directory, describe: describe)
        let commit: String
        do {
            commit = try git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"], in: top, describe: describe)
        } catch {
            throw ToolError("\(describe): '\(ref)' is neither a folder nor a commit of the repository at \(top) (for a remote branch, fetch it first: git fetch origin)")
        }
        func full(_ path: String) -> String { normalize(prefix + path) }
        var wanted: [String] = []
        for path in spec {
            let files = try list(commit, [full(path)], in: top, describe: describe)
            guard !files.isEmpty else { throw ToolError("\(describe): \(ref) has no spec at \(path)") }
            wanted += files
        }
        if spec.isEmpty {
            let here = prefix.isEmpty ? [] : [prefix]
            wanted += try git(["ls-tree", "--name-only", "--full-name", commit, "--"] + here, in: top, describe: describe)
                .split(separator: "\n").map(String.init).filter(SideFiles.isSpecFile)
        }
        let migrationFiles = try list(commit, [full(migrations ?? "migrations")], in: top, describe: describe)
        if let migrations, migrationFiles.isEmpty { throw ToolError("\(describe): \(ref) has no migrations folder at \(migrations)") }
        wanted += migrationFiles
        let temporary = (NSTemporaryDirectory() as NSString).appendingPathComponent("tenantwall-review-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: true)
        do {
            if !wanted.isEmpty {
                let archive = temporary + "/side.tar"
                _ = try git(["archive", "--format=tar", "-o", archive, commit, "--"] + wanted, in: top, describe: describe)
                _ = try run("/usr/bin/env", ["tar", "-xf", archive, "-C", temporary], in: temporary)
                try FileManager.default.removeItem(atPath: archive)
            }
            var files = try SideFiles.locate(root: normalize(temporary + "/" + prefix), spec: spec, migrations: migrations,
                                             describe: "\(describe) (\(ref) at \(commit.prefix(12)))")
            files.revision = commit
            files.temporary = temporary
            return files
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Files under `paths` at `commit`, full names from the top of the repository.
    static func list(_ commit: String, _ paths: [String], in top: String, describe: String) throws -> [String] {
        try git(["ls-tree", "-r", "--name-only", "--full-name", commit, "--"] + paths, in: top, describe: describe)
            .split(separator: "\n").map(String.init)
    }

    /// `a/./b/../c/` → `a/c`: git wants paths without dot segments.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }

    static func git(_ arguments: [String], in directory: String, describe: String, failure: String? = nil) throws -> String {
        do {
            return try run("/usr/bin/env", ["git"] + arguments, in: directory).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch let error as ToolError {
            throw ToolError("\(describe): " + (failure ?? error.description))
        }
    }

    /// Runs a program and returns its standard output. Output goes through files, not pipes: nothing here waits
    /// on a descriptor that a server started meanwhile could have inherited.
    static func run(_ executable: String, _ arguments: [String], in directory: String) throws -> String {
        let out = NSTemporaryDirectory() + "tenantwall-git-\(UUID().uuidString)"
        let err = out + ".err"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: out); try? FileManager.default.removeItem(atPath: err) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        do { try process.run() } catch { throw ToolError("cannot run \(arguments.first ?? executable): \(error)") }
        process.waitUntilExit()
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            let message = ((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            throw ToolError("\(arguments.prefix(2).joined(separator: " ")) failed: \(message.isEmpty ? "status \(process.terminationStatus)" : message)")
        }
        return text
    }
}
