import Foundation

/// What `tenant remove --delete-data` writes: what was deleted per table, what stays and why, when, and under
/// which spec. An auditor keeps it; it holds counts and names, never a row's values.
public struct ErasureCertificate: Codable, Sendable, Equatable {
    public struct Deleted: Codable, Sendable, Equatable {
        /// `schema.table`.
        public var table: String
        public var rows: Int
        /// As in the export manifest: `column tenant_id`, or the foreign keys that make a row the tenant's.
        public var reach: String
    }

    /// Something of the tenant's that the erasure did not remove, and why.
    public struct Remaining: Codable, Sendable, Equatable {
        public var what: String
        /// `schema.table`, or where it is when it is outside the database.
        public var `where`: String
        /// Rows of the tenant there now, when the database can count them.
        public var rows: Int?
        public var why: String
    }

    public var tenant: String
    /// True for `--dry-run`: everything below was counted in a transaction that was rolled back.
    public var dryRun: Bool
    public var spec: String
    public var database: String
    public var startedAt: String
    public var finishedAt: String
    /// Children before parents: the order the rows were deleted in.
    public var deleted: [Deleted]
    public var remaining: [Remaining]

    /// The certificate as its file holds it: keys in snake_case, sorted, indented.
    public static func json(_ certificate: ErasureCertificate) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(certificate), as: UTF8.self) + "\n"
    }
}
