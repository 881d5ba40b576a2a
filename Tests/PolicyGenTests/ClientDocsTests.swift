import Foundation
import XCTest

/// docs/clients.md shows the code the client examples run, never a copy that drifts: each snippet is announced
/// by `<!-- include: clients/<file>#<region> -->` and must equal the lines between `tenantwall:begin <region>` and
/// `tenantwall:end <region>` in that file, which ClientExampleTests runs through PgBouncer. Every region is shown
/// somewhere. `TENANTWALL_UPDATE_GOLDEN=1` rewrites the snippets from the files (and the test still fails).
final class ClientDocsTests: XCTestCase {
    static let document = "docs/clients.md"
    static let include = try! NSRegularExpression(pattern: "<!-- include: ([^#\\s]+)#([\\w-]+) -->\\n```(\\w*)\\n((?:.*\\n)*?)```\\n")

    /// The marked regions of one example file, by name.
    static func regions(_ relative: String) throws -> [String: String] {
        let lines = try String(contentsOfFile: Repository.path(relative), encoding: .utf8).components(separatedBy: "\n")
        var regions: [String: String] = [:]
        var open: (name: String, lines: [String])?
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            // The name is the word after the marker: `// tenantwall:begin bind`, `{# tenantwall:begin bind #}`.
            let name = { (range: Range<String.Index>) in String(trimmed[range.upperBound...].prefix { !$0.isWhitespace }) }
            if let range = trimmed.range(of: "tenantwall:begin ") {
                open = (name(range), [])
            } else if let range = trimmed.range(of: "tenantwall:end "), let current = open {
                XCTAssertEqual(name(range), current.name, "\(relative): region \(current.name) ends as another")
                var body = current.lines
                while body.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { body.removeLast() }
                regions[current.name] = body.joined(separator: "\n") + "\n"
                open = nil
            } else if open != nil {
                open?.lines.append(line)
            }
        }
        XCTAssertNil(open, "\(relative): region \(open?.name ?? "") never ends")
        return regions
    }

    static func exampleFiles() -> [String] {
        let root = Repository.root.appendingPathComponent("clients")
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return files.filter { [".go", ".js", ".py", ".sql"].contains(where: $0.hasSuffix) }.sorted().map { "clients/" + $0 }
    }

    func testSnippetsAreTheExamplesCode() throws {
        let text = try String(contentsOfFile: Repository.path(Self.document), encoding: .utf8)
        let ns = text as NSString
        var updated = text, shown = Set<String>()
        for match in Self.include.matches(in: text, range: NSRange(location: 0, length: ns.length)).reversed() {
            let (file, region, body) = (ns.substring(with: match.range(at: 1)), ns.substring(with: match.range(at: 2)), ns.substring(with: match.range(at: 4)))
            shown.insert(file + "#" + region)
            guard let code = try Self.regions(file)[region] else {
                XCTFail("\(Self.document) includes \(file)#\(region), which is no region of that file")
                continue
            }
            XCTAssertEqual(body, code, "\(Self.document): the snippet of \(file)#\(region) differs from the file (TENANTWALL_UPDATE_GOLDEN=1 rewrites it)")
            if body != code {
                let block = "<!-- include: \(file)#\(region) -->\n```\(ns.substring(with: match.range(at: 3)))\n\(code)```\n"
                updated = (updated as NSString).replacingCharacters(in: match.range, with: block)
            }
        }
        if updated != text, Golden.updating { try updated.write(toFile: Repository.path(Self.document), atomically: true, encoding: .utf8) }
        for file in Self.exampleFiles() {
            let regions = try Self.regions(file)
            XCTAssertFalse(regions.isEmpty, "\(file) marks no region for \(Self.document)")
            for region in regions.keys.sorted() where !shown.contains(file + "#" + region) {
                XCTFail("\(Self.document) does not show \(file)#\(region)")
            }
        }
    }

    /// The check itself can fail: a snippet one character off is caught.
    func testAChangedSnippetIsCaught() throws {
        let code = try XCTUnwrap(try Self.regions("clients/go-libpq/main.go")["bind"])
        let doc = "<!-- include: clients/go-libpq/main.go#bind -->\n```go\n" + code.replacingOccurrences(of: "tx.Commit()", with: "nil") + "```\n"
        let match = try XCTUnwrap(Self.include.firstMatch(in: doc, range: NSRange(location: 0, length: (doc as NSString).length)))
        XCTAssertNotEqual((doc as NSString).substring(with: match.range(at: 4)), code)
        XCTAssertEqual((doc as NSString).substring(with: match.range(at: 2)), "bind")
    }
}
