import CPgQuery
import Foundation

/// SQL split and parsed by PostgreSQL's own parser (libpg_query), not by a hand-written splitter that breaks
/// on `$$` bodies, strings or comments.
public enum SQLParser {
    /// One statement of a script, with where it starts (1-based line and column of its first token).
    public struct Statement: Sendable, Equatable {
        public var text: String
        public var line: Int
        public var column: Int
        /// The parse-tree node type, e.g. `CreateStmt`, `IndexStmt`, `TransactionStmt`.
        public var kind: String
        /// The statement's parse tree as JSON (libpg_query's format).
        public var tree: String
    }

    /// The PostgreSQL version whose grammar the parser has (libpg_query built by scripts/setup.sh: 18.6).
    /// Statements newer servers accept may be refused; errors name this version so nobody blames the SQL.
    public static let grammarVersion = String(cString: TW_PG_QUERY_GRAMMAR_VERSION)

    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        /// The parser's message, followed by the grammar version it was checked against.
        public var message: String
        public var line: Int
        public var column: Int
        public var description: String { "syntax error at line \(line), column \(column): \(message)" }
    }

    /// Splits a script into statements, each with its location and parse tree. Throws `SyntaxError` with
    /// the line and column where the parser stopped.
    public static func statements(in script: String) throws -> [Statement] {
        let bytes = Array(script.utf8)
        let split = pg_query_split_with_parser(script)
        defer { pg_query_free_split_result(split) }
        if let error = split.error { throw syntaxError(error.pointee, bytes: bytes) }
        var out: [Statement] = []
        for i in 0..<Int(split.n_stmts) {
            guard let stmt = split.stmts[i]?.pointee else { continue }
            let start = Int(stmt.stmt_location), length = Int(stmt.stmt_len)
            let end = length == 0 ? bytes.count : min(bytes.count, start + length)
            let first = firstToken(bytes, from: start, to: end)
            guard first < end else { continue }
            let text = String(decoding: bytes[first..<end], as: UTF8.self)
            let (line, column) = position(bytes, first)
            let tree = try parseTree(text)
            out.append(Statement(text: text, line: line, column: column, kind: kind(of: tree), tree: tree))
        }
        return out
    }

    /// The JSON parse tree of a script.
    public static func parseTree(_ sql: String) throws -> String {
        let result = pg_query_parse(sql)
        defer { pg_query_free_parse_result(result) }
        if let error = result.error { throw syntaxError(error.pointee, bytes: Array(sql.utf8)) }
        return result.parse_tree.map { String(cString: $0) } ?? "{}"
    }

    static func kind(of tree: String) -> String {
        // {"version":…,"stmts":[{"stmt":{"CreateStmt":{…
        guard let range = tree.range(of: "\"stmt\":{\"") else { return "Unknown" }
        let rest = tree[range.upperBound...]
        return String(rest.prefix { $0 != "\"" })
    }

    static func syntaxError(_ error: PgQueryError, bytes: [UInt8]) -> SyntaxError {
        let message = error.message.map { String(cString: $0) } ?? "syntax error"
        // cursorpos is 1-based, in characters as PostgreSQL counts them (bytes for ASCII input).
        let offset = max(0, Int(error.cursorpos) - 1)
        let (line, column) = position(bytes, characterOffset(bytes, offset))
        return SyntaxError(message: message + " (parsed with the PostgreSQL \(grammarVersion) grammar)", line: line, column: column)
    }

    /// Skips whitespace and comments so a statement's line is the line of its first token.
    static func firstToken(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var i = start
        while i < end {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1; continue }
            if c == 0x2D, i + 1 < end, bytes[i + 1] == 0x2D {
                while i < end && bytes[i] != 0x0A { i += 1 }
                continue
            }
            if c == 0x2F, i + 1 < end, bytes[i + 1] == 0x2A {
                i += 2
                while i + 1 < end && !(bytes[i] == 0x2A && bytes[i + 1] == 0x2F) { i += 1 }
                i += 2
                continue
            }
            break
        }
        return min(i, end)
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func position(_ bytes: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1, column = 1
        for i in 0..<min(offset, bytes.count) {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    /// The byte offset of the `n`-th character (0-based).
    static func characterOffset(_ bytes: [UInt8], _ n: Int) -> Int {
        var seen = 0
        for (i, b) in bytes.enumerated() where b & 0xC0 != 0x80 {
            if seen == n { return i }
            seen += 1
        }
        return bytes.count
    }
}
