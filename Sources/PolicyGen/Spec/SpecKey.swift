import Yams

/// One key a spec section accepts, with how its value is read into the section's model.
///
/// Each section lists its keys as values of this type next to its model and checks, so that the list of
/// allowed keys (what "unknown key … did you mean …?" offers) and the code that reads them cannot drift apart,
/// and a new key is one entry in the file of the section it belongs to. The order of a list is the order the
/// keys are offered in messages.
///
///     static let keys: [SpecKey<Tenancy>] = [
///         SpecKey("column") { tenancy, entry, reader in tenancy.column = reader.string(entry.value, what: "tenancy.column") ?? tenancy.column },
///     ]
struct SpecKey<Model>: Sendable {
    /// A key as written, the node it was written at (for locations), and its value.
    typealias Entry = (key: String, keyNode: Node, value: Node)
    typealias Read = @Sendable (inout Model, Entry, inout NodeReader) -> Void

    let name: String
    let read: Read

    init(_ name: String, read: @escaping Read) {
        self.name = name
        self.read = read
    }
}

extension NodeReader {
    /// The entries of a section's mapping (unknown and duplicate keys reported), or nil when it is not a mapping.
    mutating func entries<Model>(_ node: Node, keys: [SpecKey<Model>], what: String) -> [SpecKey<Model>.Entry]? {
        mapping(node, allowed: keys.map(\.name), what: what)
    }

    /// Reads each entry into `model` with its key's reader, in the order written.
    mutating func read<Model>(_ entries: [SpecKey<Model>.Entry], into model: inout Model, keys: [SpecKey<Model>]) {
        for entry in entries {
            keys.first { $0.name == entry.key }?.read(&model, entry, &self)
        }
    }
}
