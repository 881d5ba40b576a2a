/// `manifest.json` of a tenant export: what was read, how many rows, and a checksum per file, so a recipient
/// can check that nothing was changed or left out in transit.
public struct ExportManifest: Codable, Sendable, Equatable {
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        /// `sha256:<hex>` of the file's bytes.
        public var sha256: String
    }

    public struct Table: Codable, Sendable, Equatable {
        /// `schema.table`.
        public var table: String
        public var rows: Int
        /// How a row is known to be the tenant's: `column tenant_id`, or `foreign key order_lines_order_id_fkey → public.orders`.
        public var reach: String
        /// `tenant` when read as the tenant through the walls; `owner` when the access role has no SELECT on the
        /// table (a table reached only by foreign key), read by the connecting role with the same condition.
        public var readAs: String
        /// The tenant's rows the walls hide from the tenant itself (a `restrict:` such as `status <> 'purged'`):
        /// counted by the connecting role with the same condition, and not exported.
        public var hiddenByWalls: Int
        public var csv: File
        public var jsonl: File
    }

    public var tenant: String
    /// The spec's fingerprint (`SpecFingerprint`): which spec the export was read under.
    public var spec: String
    public var exportedAt: String
    /// The statements that made the export's transaction the tenant's (a token shown as a placeholder).
    public var session: [String]
    public var tables: [Table]
}
