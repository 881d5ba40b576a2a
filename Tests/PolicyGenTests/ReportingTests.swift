import Foundation
import Reporting
import XCTest

/// The one JSON writer and the report escaping, without a server: any string goes in and comes back out.
final class ReportingTests: XCTestCase {
    struct Row: Codable, Equatable { var tenantId: String; var note: String? }

    static let awkward = [#"say "hi""#, #"back\slash"#, "two\nlines", "tab\tcontrol\u{1}\u{1F}", "ünïcødé 租户 🧱", "</script>/path", ""]

    func testAnyStringRoundTripsThroughTheWriter() throws {
        for text in Self.awkward {
            let json = try JSONWriter.render(Row(tenantId: text, note: nil))
            XCTAssertTrue(json.hasSuffix("}\n"), json)
            XCTAssertEqual(try JSONDecoder().decode(Row.self, from: Data(json.utf8)), Row(tenantId: text, note: nil), json)
        }
    }

    func testOneShapeEverywhere() throws {
        XCTAssertEqual(try JSONWriter.render(["b": "/", "a": "x"]), "{\n  \"a\" : \"x\",\n  \"b\" : \"/\"\n}\n", "sorted, indented, / unescaped")
        XCTAssertEqual(try JSONWriter.render(Row(tenantId: "1", note: "n"), keys: .snakeCase), "{\n  \"note\" : \"n\",\n  \"tenant_id\" : \"1\"\n}\n")
        XCTAssertThrowsError(try JSONWriter.render([Double.nan]), "NaN is refused, not written as invalid JSON")
    }

    func testEscaping() {
        XCTAssertEqual(Escape.xml(#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        XCTAssertEqual(Escape.xml("bell\u{7}\nkept"), "bell\u{FFFD}\nkept", "XML 1.0 forbids control characters even escaped")
        XCTAssertEqual(Escape.markdownCell("a|b\n<img>"), "a\\|b &lt;img>")
    }
}
