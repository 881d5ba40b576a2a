import Yams

/// Derived objects TimescaleDB would build from a hypertable — `compression` (the columnstore) and
/// `continuous_aggregates` — which it refuses on a table with row-level security. This file owns both keys:
/// they are read only to be refused where they are written, each with what to do instead (walled rollups are
/// the `rollups` section).
extension Hypertable {
    static let derivedKeys: [SpecKey<Hypertable>] = [
        SpecKey("compression") { _, entry, reader in
            if reader.bool(entry.value, what: "compression") == true {
                reader.error("TimescaleDB refuses compression (columnstore) on a table with row-level security (\"columnstore cannot be used on table with row security\"); remove 'compression': keep raw rows uncompressed and bound their size with 'retention' and a shorter chunk_interval", entry.keyNode)
            }
        },
        SpecKey("continuous_aggregates") { _, entry, reader in
            // An empty list or false asks for nothing.
            if case .sequence(let items) = entry.value, items.isEmpty { return }
            if reader.bool(entry.value, what: "continuous_aggregates") == false { return }
            reader.error("TimescaleDB refuses continuous aggregates on a hypertable with row-level security (\"cannot create continuous aggregate on hypertable with row security\"); remove 'continuous_aggregates': declare the rollup as its own tenant table (e.g. a daily hypertable) and fill it with a scheduled INSERT … SELECT … GROUP BY tenant_id, so its rows carry the tenant and its own policy", entry.keyNode)
        },
    ]
}
