/// What a run learned of the walled form beyond its timings: where it was built, what compression did to the
/// storage, and the plan checks that only the walled form has (segment filters on compressed chunks, chunk
/// exclusion in every form).
public struct WalledSummary: Codable, Sendable {
    /// The table in its RLS form, and the walled copies of it (storage and view), uncompressed and compressed.
    public var table: String
    public var storage: String
    public var view: String
    public var compressedStorage: String
    public var compressedView: String
    /// The wall view's definition, as built (`pg_get_viewdef`).
    public var predicate: String
    public var compressionAfter: String
    public var segmentBy: [String]
    public var orderBy: String
    /// The window every hypertable workload reads, as SQL.
    public var window: String
    /// `hypertable_size()` of each form, in bytes: the RLS table, the walled storage before compression, and the
    /// compressed copy (the same rows).
    public var rlsBytes: Int
    public var walledBytes: Int
    public var compressedBytes: Int
    /// `hypertable_compression_stats()` of the compressed copy: the compressed chunks before and after.
    public var beforeCompressionBytes: Int
    public var afterCompressionBytes: Int
    public var compressedChunks: Int
    public var totalChunks: Int
    /// Chunks of each form's hypertable overlapping the window.
    public var chunksInWindow: Int
    public var formChecks: [FormPlanCheck] = []
    public var notes: [String] = []
}

/// One tenantwall form's plan for one hypertable workload, as the walled design needs it to be: chunk
/// exclusion (no more chunks run than the window overlaps) and, on compressed chunks, the tenant filter pushed
/// into the scan of the compressed chunk (a segment filter: an index condition, or a filter on the compressed
/// rows before any is decompressed), not applied above the decompression.
public struct FormPlanCheck: Codable, Sendable {
    public var workload: String
    public var mode: BenchRunner.Mode
    /// Chunks the plan ran, of those the window overlaps and of all the hypertable's.
    public var chunksRun: Int
    public var chunksInWindow: Int
    public var chunksTotal: Int
    /// Scans of compressed chunks that ran, and how each applied the tenant: "index condition", "filter", or
    /// "none" (then the tenant was filtered after decompression).
    public var compressedScans: [String]
    public var passed: Bool
    public var problems: [String]
}
