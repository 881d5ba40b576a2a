/// Decides, from the files and the history, what each file's state is and what `migrate` would run. Pure,
/// so the rules (drift stops everything, failures need a repair, out-of-order needs consent) test without a
/// server.
public enum MigrationState: String, Sendable {
    case applied, pending, changed, failed, missing, baselined
    /// A repeatable file whose content changed since it last ran: it runs again.
    case outdated
}

public struct FileStatus: Sendable {
    public var name: String
    public var kind: String
    public var version: Version?
    public var description: String
    public var state: MigrationState
    public var row: HistoryRow?
}

public struct MigrationPlan: Sendable {
    public var statuses: [FileStatus]
    /// The files `migrate` runs, in order.
    public var toApply: [MigrationFile]
    /// Problems that stop `migrate` before it runs anything.
    public var blockers: [String]

    /// True when nothing is pending, changed, failed or outdated.
    public var upToDate: Bool {
        !statuses.contains { [.pending, .changed, .failed, .outdated].contains($0.state) }
    }
}

public enum MigrationPlanner {
    public static func plan(files: [MigrationFile], history: [HistoryRow], target: Version? = nil, outOfOrder: Bool = false) -> MigrationPlan {
        var statuses: [FileStatus] = []
        var toApply: [MigrationFile] = []
        var blockers: [String] = []
        let baseline = history.filter { $0.kind == "baseline" && $0.success }.compactMap(\.version).max()
        let versionedRows = history.filter { $0.kind == "versioned" }
        let latestApplied = (versionedRows.filter(\.success).compactMap(\.version) + [baseline].compactMap { $0 }).max()

        for file in files.filter({ $0.kind == .versioned }).sorted(by: { $0.version! < $1.version! }) {
            let version = file.version!
            let row = versionedRows.last { $0.version == version }
            let state: MigrationState
            if let row {
                if !row.success {
                    state = .failed
                    blockers.append("\(file.name) failed\(row.failedLine.map { " at line \($0)" } ?? "")\(row.error.map { ": \($0)" } ?? ""); fix the database by hand, then run `tenantwall repair`")
                } else if row.checksum != file.checksum {
                    state = .changed
                    blockers.append("\(file.name) has changed since it was applied (checksum \(row.checksum.prefix(12))… → \(file.checksum.prefix(12))…); restore it, or accept it with `tenantwall repair`")
                } else {
                    state = .applied
                }
            } else if let baseline, version <= baseline {
                state = .baselined
            } else {
                state = .pending
                if target.map({ version <= $0 }) ?? true {
                    if let latest = latestApplied, version < latest, !outOfOrder {
                        blockers.append("\(file.name) is older than the applied version \(latest) (out of order); run with --out-of-order to apply it")
                    }
                    toApply.append(file)
                }
            }
            statuses.append(FileStatus(name: file.name, kind: "versioned", version: version, description: file.description, state: state, row: row))
        }
        for file in files.filter({ $0.kind == .repeatable }).sorted(by: { $0.name < $1.name }) {
            let row = history.last { $0.kind == "repeatable" && $0.script == file.name && $0.success }
            let state: MigrationState = row == nil ? .pending : row!.checksum == file.checksum ? .applied : .outdated
            if state != .applied && target == nil { toApply.append(file) }
            statuses.append(FileStatus(name: file.name, kind: "repeatable", version: nil, description: file.description, state: state, row: row))
        }
        let names = Set(files.map(\.name))
        for row in history where (row.kind == "versioned") && !names.contains(row.script) && row.success {
            statuses.append(FileStatus(name: row.script, kind: row.kind, version: row.version, description: row.description, state: .missing, row: row))
        }
        return MigrationPlan(statuses: statuses, toApply: toApply, blockers: blockers)
    }

    /// Reads a folder's file names and contents into migrations, refusing unknown names and duplicate versions.
    public static func files(_ entries: [(name: String, bytes: [UInt8])]) throws -> [MigrationFile] {
        var files: [MigrationFile] = []
        var versions: [Version: String] = [:]
        for entry in entries.sorted(by: { $0.name < $1.name }) where !entry.name.hasPrefix(".") {
            let file = try MigrationFile(name: entry.name, bytes: entry.bytes)
            if let version = file.version {
                if let other = versions[version] { throw MigrationError.duplicateVersion(other, file.name) }
                versions[version] = file.name
            }
            files.append(file)
        }
        return files
    }
}
