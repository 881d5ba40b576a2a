import Foundation
import XCTest

/// Golden files: the expected output, written out and reviewed like documentation.
///
/// `TENANTWALL_UPDATE_GOLDEN=1` rewrites a golden file that differs, and the test still fails for that run, so
/// a rewrite can never pass unnoticed: review the diff, then run again without it. CI (`CI` set) refuses the
/// variable outright.
enum Golden {
    static var updating: Bool { ProcessInfo.processInfo.environment["TENANTWALL_UPDATE_GOLDEN"] == "1" }
    static var inCI: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }

    /// The first differing line of two texts, for a failure message that points at it.
    static func firstDifference(_ actual: String, _ expected: String) -> String {
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false), b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        return "line \(line + 1):\n  actual: \(line < a.count ? String(a[line]) : "<end>")\n  golden: \(line < b.count ? String(b[line]) : "<end>")"
    }

    static func assertMatches(_ actual: String, file relative: String, file testFile: StaticString = #filePath, line testLine: UInt = #line) {
        let path = Repository.path(relative)
        if updating && inCI {
            XCTFail("TENANTWALL_UPDATE_GOLDEN is refused when CI is set: goldens change only in a reviewed commit", file: testFile, line: testLine)
            return
        }
        let expected = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard actual != expected else { return }
        if updating {
            do { try actual.write(toFile: path, atomically: true, encoding: .utf8) } catch { XCTFail("\(relative): \(error)", file: testFile, line: testLine) }
            XCTFail("\(relative) rewritten (it differed at \(firstDifference(actual, expected))); review the diff and run again without TENANTWALL_UPDATE_GOLDEN",
                    file: testFile, line: testLine)
        } else {
            XCTFail("\(relative) differs at \(firstDifference(actual, expected))", file: testFile, line: testLine)
        }
    }
}
