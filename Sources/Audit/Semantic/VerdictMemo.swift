import Catalog
import Foundation
import Proof

/// Solver verdicts kept for the life of the process, keyed by everything a verdict depends on: the predicate
/// texts, the table's columns with their types, the role with its memberships and the gates, and what every
/// function the texts call is (identity, volatility, security, body). 2,000 policies written alike cost a
/// handful of solver calls, and a migration audit that reads the catalog after each statement asks again only
/// about what changed.
final class VerdictMemo: @unchecked Sendable {
    static let shared = VerdictMemo()
    private let lock = NSLock()
    private var verdicts: [String: Verdict] = [:]
    /// Solver calls made (for tests and the benchmark's notes).
    private(set) var misses = 0

    func verdict(_ key: String, _ compute: () -> Verdict) -> Verdict {
        lock.lock()
        if let known = verdicts[key] { lock.unlock(); return known }
        lock.unlock()
        let verdict = compute()
        lock.lock()
        verdicts[key] = verdict
        misses += 1
        lock.unlock()
        return verdict
    }

    /// The key of one check: the texts with `side`'s context and the functions they reach.
    static func key(_ parts: [RowPredicate], side: Side, catalog: DatabaseCatalog) -> String {
        let columns = side.columns.map { "\($0.name):\($0.type):\($0.notNull)" }.joined(separator: ",")
        let context = side.role + "|" + side.memberships.sorted().joined(separator: ",") + "|" + side.gates.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        let texts = parts.map(\.text)
        return (texts + [columns, context] + functionPrints(texts, catalog)).joined(separator: "\u{1}")
    }

    /// What the functions the texts call are, directly or through SQL bodies, sorted.
    static func functionPrints(_ texts: [String], _ catalog: DatabaseCatalog) -> [String] {
        var seen: Set<String> = [], prints: [String] = []
        var pending = texts.flatMap(calledNames)
        while let name = pending.popLast() {
            guard seen.insert(name).inserted else { continue }
            for function in catalog.functionsByName[name] ?? [] {
                prints.append([function.identity.isEmpty ? function.qualified + "(" + function.signature + ")" : function.identity, function.volatility,
                               String(function.securityDefiner), String(function.native), function.definition ?? function.body ?? ""].joined(separator: "|"))
                pending += function.body.map(calledNames) ?? []
            }
        }
        return prints.sorted()
    }

    /// Names written right before `(` (keywords come along and match no function, which is harmless).
    static func calledNames(_ text: String) -> [String] {
        text.matches(of: #/"?([A-Za-z_][A-Za-z0-9_$]*)"?\s*\(/#).map { String($0.output.1).lowercased() }
    }
}
