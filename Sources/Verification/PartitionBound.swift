import Foundation

/// A partition's bound as `pg_get_expr(relpartbound, oid)` writes it, read back into values: a range's lower
/// and upper tuples (`FOR VALUES FROM ('2026-10-01') TO ('2026-11-01')`) or a list's values (`FOR VALUES IN
/// ('a', 'b')`). The verifier takes a probe row's partition key from a partition's own bound when the table holds
/// no row to copy one from: a hand-made partitioned table without a default partition accepts nothing else.
/// Values come back as text (the server's own literal syntax, quotes removed), `nil` for NULL, MINVALUE or
/// MAXVALUE.
struct PartitionBound: Equatable {
    var lower: [String?] = []
    var upper: [String?] = []
    /// List partitions: each listed value (a single-column key).
    var values: [String?] = []

    init?(_ text: String) {
        if let from = PartitionBound.tuple(after: "FROM (", in: text), let to = PartitionBound.tuple(after: "TO (", in: text) {
            lower = from
            upper = to
        } else if let list = PartitionBound.tuple(after: "IN (", in: text) {
            values = list
        } else {
            return nil
        }
    }

    /// The comma-separated items inside the parentheses that follow `marker`, quotes respected.
    static func tuple(after marker: String, in text: String) -> [String?]? {
        guard let start = text.range(of: marker)?.upperBound else { return nil }
        var items: [String?] = [], current = "", quoted = false, wasQuoted = false
        var index = start
        func finish() {
            let bare = current.trimmingCharacters(in: .whitespaces)
            if wasQuoted { items.append(current) } else { items.append(["NULL", "MINVALUE", "MAXVALUE"].contains(bare.uppercased()) ? nil : bare) }
            current = ""
            wasQuoted = false
        }
        while index < text.endIndex {
            let c = text[index]
            index = text.index(after: index)
            if quoted {
                if c == "'" {
                    if index < text.endIndex && text[index] == "'" { current.append("'"); index = text.index(after: index) } else { quoted = false }
                } else {
                    current.append(c)
                }
                continue
            }
            switch c {
            case "'": quoted = true; wasQuoted = true; current = ""
            case ",": finish()
            case ")": finish(); return items
            default: if !wasQuoted { current.append(c) }
            }
        }
        return nil
    }
}
