import Foundation
import Migrations
import XCTest

/// Migration checksums: SHA-256 as the standard defines it, and the same digits that tenantwall's own
/// hand-written SHA-256 produced before it moved to swift-crypto, so histories applied by it still match.
final class ChecksumTests: XCTestCase {
    /// FIPS 180-4's examples (the NIST example values for SHA-256), and the empty message.
    func testSHA256MatchesStandardVectors() {
        XCTAssertEqual(Checksum.sha256Hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Checksum.sha256Hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Checksum.sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(Checksum.sha256Hex([UInt8](repeating: 0x61, count: 1_000)), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
        XCTAssertEqual(Checksum.sha256Hex([UInt8](repeating: 0x61, count: 1_000_000)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Tests/Fixtures/legacy-checksums: files (CRLF, UTF-8, a generated migration, sizes on SHA-256's block
    /// edges, an empty file) with the checksums the old code wrote into history tables. Each still matches, and
    /// a history holding them plans as applied, with nothing changed and nothing blocking.
    func testChecksumsWrittenByTheOldCodeStillMatch() throws {
        let folder = Repository.path("Tests/Fixtures/legacy-checksums")
        let recorded = try String(contentsOfFile: folder + "/checksums.txt", encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") }
            .map { line -> (name: String, checksum: String) in
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                return (String(fields[1]), String(fields[0]))
            }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }.sorted()
        XCTAssertEqual(recorded.map(\.name).sorted(), names, "every fixture file has its recorded checksum")
        XCTAssertEqual(names.count, 9)

        var files: [MigrationFile] = []
        for (name, checksum) in recorded {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            let file = try MigrationFile(name: name, bytes: bytes)
            XCTAssertEqual(file.checksum, checksum, name)
            files.append(file)
        }
        let history = files.enumerated().map { rank, file in
            HistoryRow(rank: rank + 1, version: file.version, description: file.description, kind: file.kind.rawValue, script: file.name,
                       checksum: recorded[rank].checksum, appliedBy: "x", appliedAt: "t", executionMs: 1, success: true, failedLine: nil, error: nil)
        }
        let plan = MigrationPlanner.plan(files: files, history: history)
        XCTAssertEqual(plan.statuses.filter { $0.state != .applied }.map(\.name), [], "nothing changed or pending")
        XCTAssertTrue(plan.toApply.isEmpty)
        XCTAssertTrue(plan.blockers.isEmpty)
    }
}
