import Foundation
import XCTest

/// One case of the change suite in Tests/Fixtures/review: a hand-written schema before (`base/`) and after
/// (`head/`) a change, what `tenantwall review` must report (`expected.json`), and the SQL that shows the change
/// is real (`check.sql`: checks whose `-- base:` and `-- head:` lines say what each prints on each side).
struct ReviewSuiteCase {
    /// What review must report for one role, object and command: the strongest class among its changes
    /// (USING and WITH CHECK may be reported apart; the key is the same).
    struct Expectation: Decodable, Hashable {
        var `class`: String
        var role: String
        var object: String
        var command: String
        /// For a widened column grant: the column that must be named.
        var column: String?

        var key: String { "\(role) \(object) \(command)" }
    }

    static let directory = TestServer.root.appendingPathComponent("Tests/Fixtures/review")

    /// The classes review prints, weakest first; a key reported with several keeps the strongest.
    static let strength = ["equivalent": 1, "added": 2, "removed": 3, "narrowing": 3, "unknown": 4, "widening": 5]
    static let commands: Set = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES"]

    var name: String
    var url: URL
    var expected: [Expectation]
    var check: String

    var base: URL { url.appendingPathComponent("base") }
    var head: URL { url.appendingPathComponent("head") }

    /// The verdict the JSON schema gives this case: its strongest expected class, `none` when empty.
    var expectedVerdict: String {
        expected.map(\.class).max { Self.strength[$0, default: 0] < Self.strength[$1, default: 0] } ?? "none"
    }

    /// One check of `check.sql`: SQL run as a superuser on a side (BEGIN … ROLLBACK, acting as a role inside) and
    /// the last line psql prints on each side (a count, `inserted`, or `ERROR:  …`).
    struct Check {
        var description: String
        var sql: String
        var base: String
        var head: String
    }

    /// The checks of `check.sql`, blocks separated by a blank line; the first is the case's own.
    func checks() throws -> [Check] {
        try check.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.map { block in
            let lines = block.split(separator: "\n").map(String.init)
            func value(_ side: String) throws -> String {
                let prefix = "-- \(side): "
                let line = try XCTUnwrap(lines.first { $0.hasPrefix(prefix) }, "\(name): a check in check.sql has no '\(prefix)' line:\n\(block)")
                return String(line.dropFirst(prefix.count))
            }
            return Check(description: lines.first ?? "", sql: lines.filter { !$0.hasPrefix("--") }.joined(separator: "\n"),
                         base: try value("base"), head: try value("head"))
        }
    }

    func migration(_ side: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent("\(side)/migrations/V1__schema.sql"), encoding: .utf8)
    }

    /// Every case folder, in order; throws if one is incomplete, so a half-written case never passes unseen.
    static func all() throws -> [ReviewSuiteCase] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.first?.isNumber == true }.sorted()
        return try names.map { name in
            let url = directory.appendingPathComponent(name)
            let data = try Data(contentsOf: url.appendingPathComponent("expected.json"))
            let expected: [Expectation]
            do { expected = try JSONDecoder().decode([Expectation].self, from: data) } catch {
                throw TenantwallProcessError(message: "\(name)/expected.json does not decode: \(error)")
            }
            let check = try String(contentsOf: url.appendingPathComponent("check.sql"), encoding: .utf8)
            return ReviewSuiteCase(name: name, url: url, expected: expected, check: check)
        }
    }
}
