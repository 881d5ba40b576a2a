import Foundation
import XCTest

/// The size limits a newcomer relies on: no Swift file in `Sources/` over 400 lines, no function, initialiser
/// or closure-bodied declaration over 80. A failure names each offender with its path and line, so the fix
/// (split the file, extract a step) starts from the message.
final class HouseRulesTests: XCTestCase {
    static let maxFileLines = 400, maxFunctionLines = 80

    func testNoSourceFileIsLongerThanFourHundredLines() throws {
        let long = try Self.sourceFiles().compactMap { path, text -> String? in
            let count = text.split(separator: "\n", omittingEmptySubsequences: false).count
            return count > Self.maxFileLines ? "\(path): \(count) lines" : nil
        }
        XCTAssertEqual(long, [], "split these files (limit \(Self.maxFileLines) lines)")
    }

    func testNoFunctionIsLongerThanEightyLines() throws {
        let long = try Self.sourceFiles().flatMap { path, text in
            FunctionLengths.measure(text).filter { $0.lines > Self.maxFunctionLines }.map { "\(path):\($0.line): \($0.name) has \($0.lines) lines" }
        }
        XCTAssertEqual(long, [], "extract steps from these (limit \(Self.maxFunctionLines) lines)")
    }

    /// The measuring itself, on a text whose answer is known: a nested closure and braces inside strings do
    /// not end a function early.
    func testFunctionLengthsAreMeasuredFromTheDeclarationToItsClosingBrace() {
        let text = """
        struct S {
            func short() { }
            func long(_ x: Int) -> String {
                let s = "}{ not a brace"
                let q = \"""
                    { in a multi-line string
                    \"""
                let f = { (y: Int) in
                    y + 1
                }
                return s + String(f(x))
            }
            init() {
                _ = 1
            }
        }
        """
        XCTAssertEqual(FunctionLengths.measure(text).map { "\($0.name)@\($0.line)=\($0.lines)" }, ["short@2=1", "long@3=10", "init@13=3"])
    }

    static func sourceFiles() throws -> [(path: String, text: String)] {
        let root = Repository.path("Sources")
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw CocoaError(.fileNoSuchFile) }
        return try walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map {
            ("Sources/" + $0, try String(contentsOfFile: root + "/" + $0, encoding: .utf8))
        }
    }
}

/// Function lengths by brace matching: enough for this code base (string literals, including multi-line ones,
/// and `//` comments are skipped; no `/* */` comment holds a brace).
enum FunctionLengths {
    struct Function: Equatable { var name: String; var line: Int; var lines: Int }

    static let declaration = try! NSRegularExpression(
        pattern: #"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|class|override|mutating|nonisolated|final|convenience|required)\s+)*(func\s+([^\s(<]+)|init[?!]?|subscript|deinit)"#)

    static func measure(_ text: String) -> [Function] {
        let lines = text.components(separatedBy: "\n")
        let code = withoutLiterals(lines)
        var found: [Function] = []
        for (index, line) in lines.enumerated() {
            let range = NSRange(line.startIndex..., in: line)
            guard let match = declaration.firstMatch(in: line, range: range) else { continue }
            let nameRange = match.range(at: 2).location != NSNotFound ? match.range(at: 2) : match.range(at: 1)
            let name = String(line[Range(nameRange, in: line)!])
            if let end = closingLine(code, from: index) { found.append(Function(name: name, line: index + 1, lines: end - index + 1)) }
        }
        return found
    }

    /// The line where the body opened on or after `start` closes; nil for a declaration without a body.
    static func closingLine(_ code: [String], from start: Int) -> Int? {
        var depth = 0, opened = false
        for index in start..<code.count {
            for character in code[index] {
                if character == "{" { depth += 1; opened = true } else if character == "}" { depth -= 1 }
            }
            if opened && depth <= 0 { return index }
            if !opened && index > start && code[index].trimmingCharacters(in: .whitespaces).isEmpty { return nil }
        }
        return nil
    }

    /// The lines with multi-line string bodies blanked, then each line's strings and comment removed.
    static func withoutLiterals(_ lines: [String]) -> [String] {
        var inMultiline = false
        return lines.map { line in
            let parts = line.components(separatedBy: "\"\"\"")
            var out = ""
            for (index, part) in parts.enumerated() where (index % 2 == 0) != inMultiline { out += stripped(part) }
            if parts.count % 2 == 0 { inMultiline.toggle() }
            return out
        }
    }

    /// A line (or a part of one outside a multi-line string) without its string literals and `//` comment.
    static func stripped(_ line: String) -> String {
        if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { return "" }
        var out = "", inString = false, escaped = false
        for character in line {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            if character == "\"" { inString = true; continue }
            out.append(character)
        }
        if let comment = out.range(of: "//") { out = String(out[..<comment.lowerBound]) }
        return out
    }
}
