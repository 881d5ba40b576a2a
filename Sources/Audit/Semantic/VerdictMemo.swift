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

    /// The key of one check: the texts with `side`'s context and what the functions they reach are (`prints`,
    /// one string per text).
    static func key(_ parts: [Proof.Predicate], sideKey: String, prints: (String) -> String) -> String {
        let texts = parts.map(\.text)
        return (texts + [sideKey] + texts.map(prints)).joined(separator: "\u{1}")
    }

    /// What a verdict depends on in a side besides the texts: the columns with their types, the role, its
    /// memberships and the gates (computed once per table and role).
    static func sideKey(_ side: Side) -> String {
        let columns = side.columns.map { "\($0.name):\($0.type):\($0.notNull)" }.joined(separator: ",")
        return columns + "|" + side.role + "|" + side.memberships.sorted().joined(separator: ",") + "|"
            + side.gates.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// `functionPrints` per text, for one catalog (one audit input).
    final class Prints: @unchecked Sendable {
        private let lock = NSLock()
        private var known: [String: String] = [:]
        let catalog: DatabaseCatalog
        init(_ catalog: DatabaseCatalog) { self.catalog = catalog }
        func of(_ text: String) -> String {
            lock.lock(); defer { lock.unlock() }
            if let value = known[text] { return value }
            let value = VerdictMemo.functionPrints([text], catalog).joined(separator: "\u{3}")
            known[text] = value
            return value
        }
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

    /// Names written right before `(` (keywords come along and match no function, which is harmless). A scan
    /// by hand: it runs for every check's key, and a Regex costs more than the whole audit's budget.
    static func calledNames(_ text: String) -> [String] {
        var names: [String] = [], current: [UInt8] = [], pendingName: String?
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "$"):
                current.append(byte); pendingName = nil
            case UInt8(ascii: " "), UInt8(ascii: "\""):
                if !current.isEmpty { pendingName = String(decoding: current, as: UTF8.self).lowercased(); current = [] }
            case UInt8(ascii: "("):
                if !current.isEmpty { names.append(String(decoding: current, as: UTF8.self).lowercased()) } else if let name = pendingName { names.append(name) }
                current = []; pendingName = nil
            default:
                current = []; pendingName = nil
            }
        }
        return names
    }
}
