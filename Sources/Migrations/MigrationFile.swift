import Foundation
import SQLParser

/// One file in `migrations/`.
///
/// Names are a contract:
/// - `V<version>__<description>.sql`: versioned, applied once, in version order. The version is digits with
///   optional dots (`V0003`, `V2.1`), compared numerically part by part.
/// - `R__<description>.sql`: repeatable, re-applied whenever its content changes, after the versioned files.
/// Any other name (apart from dotfiles) is an error, so a typo never silently skips a migration.
public struct MigrationFile: Sendable {
    public enum Kind: String, Sendable { case versioned, repeatable }

    public var name: String
    public var kind: Kind
    /// nil for repeatable files.
    public var version: Version?
    public var description: String
    public var text: String
    /// SHA-256 of the file's bytes, hex.
    public var checksum: String
    public var directives: Directives

    public init(name: String, bytes: [UInt8]) throws {
        self.name = name
        guard name.hasSuffix(".sql") else { throw MigrationError.badName(name) }
        let stem = String(name.dropLast(4))
        guard let separator = stem.range(of: "__") else { throw MigrationError.badName(name) }
        let prefix = stem[..<separator.lowerBound]
        description = stem[separator.upperBound...].replacingOccurrences(of: "_", with: " ")
        guard !description.isEmpty else { throw MigrationError.badName(name) }
        if prefix == "R" {
            kind = .repeatable
            version = nil
        } else if let parsed = MigrationName.version(name) {
            kind = .versioned
            version = parsed
        } else {
            throw MigrationError.badName(name)
        }
        guard let text = String(validatingUTF8CString: bytes) else { throw MigrationError.notText(name) }
        self.text = text
        checksum = Checksum.sha256Hex(bytes)
        directives = try Directives(parsing: text, file: name)
    }

    /// The statements of the file, split by PostgreSQL's parser, with their lines.
    public func statements() throws -> [SQLParser.Statement] {
        do { return try SQLParser.statements(in: text) } catch let error as SQLParser.SyntaxError {
            throw MigrationError.syntax(file: name, error)
        }
    }
}

extension String {
    init?(validatingUTF8CString bytes: [UInt8]) {
        guard !bytes.contains(0) else { return nil }
        self.init(validating: bytes, as: UTF8.self)
    }
}

/// A migration version: numbers separated by dots, compared part by part (`2.10` > `2.9`).
public struct Version: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var parts: [Int]
    public var text: String

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
        self.parts = parts.compactMap { Int($0) }
        guard self.parts.count == parts.count else { return nil }
        self.text = text
    }

    public static func < (a: Version, b: Version) -> Bool {
        for i in 0..<max(a.parts.count, b.parts.count) {
            let x = i < a.parts.count ? a.parts[i] : 0, y = i < b.parts.count ? b.parts[i] : 0
            if x != y { return x < y }
        }
        return false
    }

    public static func == (a: Version, b: Version) -> Bool { !(a < b) && !(b < a) }
    public func hash(into hasher: inout Hasher) { hasher.combine(parts.reversed().drop(while: { $0 == 0 }).reversed() as [Int]) }
    public var description: String { text }
}

/// Per-file settings written as comments: `-- tenantwall:no-transaction`,
/// `-- tenantwall:lock-timeout=10s`, `-- tenantwall:statement-timeout=15min`, `-- tenantwall:lock-retries=5`.
public struct Directives: Sendable, Equatable {
    public var transactional = true
    public var lockTimeout: String?
    public var statementTimeout: String?
    /// How often a file (or, without a transaction, a statement) that failed with 55P03 is tried again.
    public var lockRetries: Int?

    public init() {}

    init(parsing text: String, file: String) throws {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            guard line.hasPrefix("--") else { continue }
            let comment = line.dropFirst(2).trimmingCharacters(in: " \t")
            guard comment.hasPrefix("tenantwall:") else { continue }
            let directive = comment.dropFirst("tenantwall:".count)
            let parts = directive.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " \t") }
            switch (parts.first ?? "", parts.count) {
            case ("no-transaction", 1): transactional = false
            case let (name, _) where name.hasPrefix("allow "): break   // an audit suppression, read by `tenantwall audit`
            case ("lock-timeout", 2) where Directives.isDuration(parts[1]): lockTimeout = parts[1]
            case ("statement-timeout", 2) where Directives.isDuration(parts[1]): statementTimeout = parts[1]
            case ("lock-retries", 2) where Int(parts[1]).map({ (0...100).contains($0) }) == true: lockRetries = Int(parts[1])
            default: throw MigrationError.badDirective(file: file, line: index + 1, String(directive))
            }
        }
    }

    /// `500ms`, `10s`, `5min`, `1h`, or a bare number of milliseconds, as PostgreSQL's timeout settings take.
    /// PostgreSQL's duration grammar as the directives and the CLI take it: digits and a unit (`ms` when none,
    /// `s`, `min`, `h`, `d`), the same units `lock_timeout` and `statement_timeout` accept.
    static let units: [String: Double] = ["": 0.001, "ms": 0.001, "s": 1, "min": 60, "h": 3600, "d": 86400]

    public static func isDuration(_ text: String) -> Bool { seconds(text) != nil }

    /// The duration in seconds, nil when it is not one.
    public static func seconds(_ text: String) -> Double? {
        let digits = text.prefix { $0.isNumber }
        guard !digits.isEmpty, let value = Double(digits), let unit = units[String(text.dropFirst(digits.count))] else { return nil }
        return value * unit
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}

/// The names `generate` writes: `V0003__add_audit_log.sql`, one more than the highest version in the folder
/// (whose files may carry dotted versions, `V2.1__…`, as `MigrationFile` reads them).
public enum MigrationName {
    /// The version a versioned file's name carries; nil for any other name.
    public static func version(_ file: String) -> Version? {
        guard file.hasPrefix("V"), file.hasSuffix(".sql"), let range = file.range(of: "__") else { return nil }
        return Version(String(file[file.index(after: file.startIndex)..<range.lowerBound]))
    }

    /// `tenantwall_<spec folder or file>` from the spec's path, in letters, digits and underscores.
    public static func description(from path: String) -> String {
        let base = ((path as NSString).standardizingPath as NSString).lastPathComponent
        let stem = (base as NSString).deletingPathExtension
        let cleaned = stem.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return "tenantwall_" + String(cleaned)
    }

    /// The next file name: the highest version's first part plus one, four digits at least.
    public static func next(_ files: [String], description: String) -> String {
        let top = files.compactMap(version).max()?.parts.first ?? 0
        return String(format: "V%04d__%@.sql", top + 1, description)
    }

    /// The newest file `generate` wrote for this description.
    public static func latest(_ files: [String], describedAs description: String) -> String? {
        files.filter { version($0) != nil && $0.hasSuffix("__\(description).sql") }.max { version($0)! < version($1)! }
    }
}
