import Deploy
import Foundation
import PolicyGen
import Postgres
import Tenantwall

/// `tenantwall verify` without its command line: where to verify (the database itself, a scratch copy of it,
/// or a fresh database the spec is first applied to), then the `Verifier`.
public struct VerifyRun {
    public enum Target {
        /// The database as it is; probe rows are written in transactions that are rolled back.
        case database
        /// A copy (`CREATE DATABASE … TEMPLATE`), dropped afterwards however the run ends.
        case scratchCopy
        /// A database where the spec is applied first (adapted to what the server can install), as on the
        /// embedded server.
        case applied
    }

    public var spec: Spec
    public var conninfo: String
    public var target = Target.database
    public var settings = Verifier.Settings()
    public var specFingerprint = ""
    public var progress: (String) -> Void = { _ in }
    /// Lines said on stderr even in a pipeline (the progress lines are only for a terminal).
    public var notice: ((String) -> Void)?

    public init(spec: Spec, conninfo: String) {
        self.spec = spec
        self.conninfo = conninfo
    }

    public func run() throws -> VerifyReport {
        var spec = self.spec
        var conninfo = self.conninfo
        var scratch: ScratchDatabase?
        defer { scratch?.drop() }
        switch target {
        case .database: break
        case .scratchCopy:
            do { scratch = try ScratchDatabase.copy(of: conninfo) } catch let failure as ScratchDatabase.Failure { throw ToolError(failure.description) }
            conninfo = scratch!.conninfo
        case .applied:
            let db = try Connection(conninfo)
            var notes: [String] = []
            spec = try ServerCapabilities(connection: db).adapt(spec, notes: &notes)
            notes.forEach(progress)
            try LiveDatabase(connection: db).apply(spec)
        }
        return try Verifier(spec: spec, conninfo: conninfo, settings: settings, specFingerprint: specFingerprint, progress: progress, notice: notice).run()
    }
}
