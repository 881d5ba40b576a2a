import Yams

/// Reads values out of a composed YAML tree, recording a located diagnostic for every problem instead of
/// stopping at the first, so one run shows the author everything that is wrong.
struct NodeReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func error(_ message: String, _ node: Node) {
        diagnostics.append(Diagnostic(.error, message, at: location(node)))
    }

    /// The entries of a mapping, in order. Reports keys not in `allowed` (with a suggestion for typos) and
    /// duplicate keys; returns nil, with a diagnostic, when the node is not a mapping.
    mutating func mapping(_ node: Node, allowed: [String]?, what: String) -> [(key: String, keyNode: Node, value: Node)]? {
        guard case let .mapping(mapping) = node else {
            error("\(what) must be a mapping (key: value), not \(kind(node))", node)
            return nil
        }
        var seen: Set<String> = []
        var entries: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error("keys in \(what) must be plain strings", keyNode)
                continue
            }
            if !seen.insert(key).inserted {
                error("duplicate key '\(key)' in \(what)", keyNode)
                continue
            }
            if let allowed, !allowed.contains(key) {
                var message = "unknown key '\(key)' in \(what)"
                if let suggestion = Suggestion.closest(to: key, among: allowed) { message += "; did you mean '\(suggestion)'?" }
                else { message += " (expected one of: \(allowed.joined(separator: ", ")))" }
                error(message, keyNode)
                continue
            }
            entries.append((key, keyNode, value))
        }
        return entries
    }

    mutating func sequence(_ node: Node, what: String) -> [Node]? {
        guard case let .sequence(sequence) = node else {
            error("\(what) must be a list, not \(kind(node))", node)
            return nil
        }
        return Array(sequence)
    }

    mutating func string(_ node: Node, what: String) -> String? {
        guard case let .scalar(scalar) = node, node.null == nil else {
            error("\(what) must be a string, not \(kind(node))", node)
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, what: String) -> Bool? {
        guard case .scalar = node, let value = node.bool else {
            error("\(what) must be true or false, not \(describe(node))", node)
            return nil
        }
        return value
    }

    mutating func int(_ node: Node, what: String) -> Int? {
        guard case .scalar = node, let value = node.int else {
            error("\(what) must be a whole number, not \(describe(node))", node)
            return nil
        }
        return value
    }

    /// A string or a list of strings; a single string is read as a one-element list.
    mutating func strings(_ node: Node, what: String) -> [String]? {
        if case .scalar = node, node.null == nil { return string(node, what: what).map { [$0] } }
        guard let items = sequence(node, what: what) else { return nil }
        var values: [String] = []
        for item in items {
            if let value = string(item, what: "each entry of \(what)") { values.append(value) }
        }
        return values
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: Node, what: String, as: E.Type) -> E? where E.RawValue == String {
        guard let text = string(node, what: what) else { return nil }
        if let value = E(rawValue: text) { return value }
        let options = E.allCases.map(\.rawValue)
        var message = "\(what) must be one of \(options.joined(separator: ", ")), not '\(text)'"
        if let suggestion = Suggestion.closest(to: text, among: options) { message += "; did you mean '\(suggestion)'?" }
        error(message, node)
        return nil
    }

    private func kind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar: return node.null != nil ? "null" : "a scalar"
        }
    }

    private func describe(_ node: Node) -> String {
        if case let .scalar(scalar) = node { return "'\(scalar.string)'" }
        return kind(node)
    }
}

/// "Did you mean …?" for misspelt keys and values: the closest option by edit distance, if close enough.
enum Suggestion {
    static func closest(to word: String, among options: [String]) -> String? {
        let scored = options.map { ($0, distance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, word.count / 3) ? best.0 : nil
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
