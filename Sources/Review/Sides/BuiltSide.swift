import Catalog
import Foundation
import PolicyGen

/// One side of a review, ready to compare: its catalog as PostgreSQL holds it after the build, the spec it was
/// built from (the access model's options come from it), and the database it lives in (for the witnesses).
public final class BuiltSide: @unchecked Sendable {
    /// `base` or `head`.
    public let name: String
    public let source: SideSource
    public let files: SideFiles?
    public let spec: Spec?
    public let catalog: DatabaseCatalog
    /// The side's database: a scratch one (closed by `close`) or the live one (read only).
    public let conninfo: String
    public let timings: SideTimings
    /// Said while building (a spec adapted to the server, how many migrations ran).
    public let notes: [String]
    let database: SideDatabase?

    init(name: String, source: SideSource, files: SideFiles?, spec: Spec?, catalog: DatabaseCatalog, conninfo: String,
         timings: SideTimings, notes: [String], database: SideDatabase?) {
        self.name = name
        self.source = source
        self.files = files
        self.spec = spec
        self.catalog = catalog
        self.conninfo = conninfo
        self.timings = timings
        self.notes = notes
        self.database = database
    }

    /// Whether witnesses may run here: a scratch database, never a live one.
    public var isScratch: Bool { database != nil }

    /// How reports name it: `base (git ref main at 1a2b3c4d5e6f)`.
    public var label: String {
        "\(name) (\(source.label)\(files?.revision.map { " at \($0.prefix(12))" } ?? ""))"
    }

    /// Stops its server or drops its scratch database, and removes extracted files.
    public func close() {
        database?.close()
        files?.removeTemporary()
    }
}

/// Milliseconds spent on one side: starting its server (embedded only), building it, reading its catalog.
public struct SideTimings: Sendable, Equatable {
    public var serverStart: Int?
    public var build: Int
    public var read: Int
}
