import Quoting
/// What the database holds for the objects a spec manages, as plain values: object → a canonical text
/// fingerprint of its state (RLS flags, policy expressions as the server deparses them, ACLs, index and
/// function definitions). Made from the one catalog model by `CatalogSnapshot(catalog:spec:)`.
///
/// Chunks (inheritance children of a hypertable) are compared by their ACL only: a chunk that TimescaleDB
/// created since the last run is already closed by its schema and ACL, and gets RLS from the safety-net job, so
/// its missing RLS flag is not drift.
///
/// Plans compare two snapshots: the live database's, and the one the database has after the generated SQL
/// ran in a transaction that is then rolled back. Both are deparsed by the same server, so a hand-edited
/// policy differs from the generated one even when it is written differently.
public struct CatalogSnapshot: Equatable, Sendable {
    public var objects: [String: String]

    public init(objects: [String: String]) { self.objects = objects }
}
