import Proof

/// A witness as a finding quotes it: the context, then the row, each value as SQL would take it
/// (`context app.tenant_id='7'; row tenant_id=8, status='x'`).
enum WitnessText {
    /// `columns`: the row's columns worth naming (the isolation column first, then those the policy reads).
    static func text(_ witness: Witness, columns: [String]) -> String {
        let context = witness.context.keys.sorted().map { key -> String in
            let value = witness.context[key] ?? nil
            if key.hasPrefix("setting:") {
                let name = String(key.dropFirst("setting:".count))
                return value.map { "\(name)='\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? "\(name) unset"
            }
            let name = key.split(separator: ":", maxSplits: 1).last.map(String.init) ?? key
            return "\(name)=\(value ?? "NULL")"
        }
        let row = columns.filter { witness.row.keys.contains($0) }.map { "\($0)=\((witness.row[$0] ?? nil) ?? "NULL")" }
        return "context " + (context.isEmpty ? "(none)" : context.joined(separator: ", ")) + "; row " + row.joined(separator: ", ")
    }
}
