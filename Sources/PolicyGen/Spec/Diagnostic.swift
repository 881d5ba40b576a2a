/// A place in a spec file: 1-based line and column.
public struct SourceLocation: Hashable, Sendable, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// One problem found in a spec, reported compiler-style so editors and CI annotate the right line.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Sendable { case error, warning }

    public var severity: Severity
    public var message: String
    public var location: SourceLocation?

    public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation?) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `file:line:col: error: message`, then the offending line and a caret under the column.
    public func rendered(sources: [String: String]) -> String {
        guard let location else { return "\(severity.rawValue): \(message)" }
        var text = "\(location.file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
        if let source = sources[location.file] {
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            if location.line - 1 < lines.count {
                let (line, caret) = Self.excerpt(Array(lines[location.line - 1]), column: location.column)
                text += "\n    " + line + "\n    " + String(repeating: " ", count: caret) + "^"
            }
        }
        return text
    }
}

extension Diagnostic {
    /// At most `width` characters of a source line around `column`, with "…" where it was cut, and where the
    /// caret goes: a 100,000-character line must not become a 100 KB error message.
    static func excerpt(_ line: [Character], column: Int, width: Int = 100) -> (String, Int) {
        let index = max(0, column - 1)
        guard line.count > width else { return (String(line), index) }
        let start = max(0, min(index - width / 2, line.count - width)), end = min(line.count, start + width)
        let prefix = start > 0 ? "…" : "", suffix = end < line.count ? "…" : ""
        return (prefix + String(line[start..<end]) + suffix, index - start + prefix.count)
    }
}

/// Thrown when a spec has errors; carries every one of them, not only the first.
public struct SpecErrors: Error, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public var sources: [String: String]

    public var description: String {
        diagnostics.map { $0.rendered(sources: sources) }.joined(separator: "\n")
    }
}
