import Deploy
import Foundation
import PolicyGen
import Postgres
import Tenantwall
import XCTest

/// A bounded fuzz of the spec checker: the example specs mutated with a fixed seed. For every variant: no crash,
/// every error located inside the file it names, no check over a second; and a sample of the accepted variants
/// applies to an empty database (a spec `check` accepts must apply). `scripts/fuzz-spec.sh N` runs a longer
/// campaign with a random seed (TENANTWALL_FUZZ_SEED, TENANTWALL_FUZZ_COUNT) and prints every failing input.
final class SpecFuzzTests: XCTestCase {
    static let tokens = ["", "\"\"", "1e309", "-1", "99999999999999999999", "true", "null", "~", "$$", "x; DROP TABLE t", "\"a\\x00b\"",
                         String(repeating: "long", count: 20), "zähler", "'quoted'", "[a, b]", "{k: v}", "*alias", "&anchor x", "now()",
                         "1 day", "0 days", "tenant", "uuid", "bigint", "timestamptz", "pg_partman", "native", "\"nope > 0\"", "-", ":"]
    static let characters: [String] = ["\"", "'", ":", "-", "[", "]", "{", "}", "*", "&", "$", ";", "\\", "\t", " ", "#", "!", "%", "@", "|", ">", "\n"]

    static func mutate(_ text: String, _ random: inout SplitMix) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return text }
        let i = random.below(lines.count)
        switch random.below(6) {
        case 0: lines.remove(at: i)
        case 1: lines.insert(lines[i], at: i)
        case 2: lines.swapAt(i, random.below(lines.count))
        case 3:  // a character somewhere in the line
            var chars = Array(lines[i])
            chars.insert(contentsOf: Array(characters[random.below(characters.count)]), at: random.below(chars.count + 1))
            lines[i] = String(chars)
        case 4:  // a value replaced
            if let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + tokens[random.below(tokens.count)]
            } else { lines[i] += " " + tokens[random.below(tokens.count)] }
        default:  // indentation changed
            lines[i] = random.below(2) == 0 ? "  " + lines[i] : String(lines[i].drop { $0 == " " })
        }
        return lines.joined(separator: "\n")
    }

    func testMutatedSpecsAreCheckedQuicklyAndLocatedAndWhatIsAcceptedApplies() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = UInt64(environment["TENANTWALL_FUZZ_SEED"] ?? "") ?? 20261124
        let count = Int(environment["TENANTWALL_FUZZ_COUNT"] ?? "") ?? 400
        let budget = Double(environment["TENANTWALL_FUZZ_SECONDS"] ?? "") ?? 15
        var random = SplitMix(seed: seed)
        let models = ["analytics-warehouse", "k8s-cost-monitor", "workflow-platform"].map { model -> [(path: String, text: String)] in
            let folder = "policies/" + model
            return ((try? FileManager.default.contentsOfDirectory(atPath: TestServer.path(folder))) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
                .map { (folder + "/" + $0, (try? String(contentsOfFile: TestServer.path(folder + "/" + $0), encoding: .utf8)) ?? "") }
        }
        var accepted: [[(path: String, text: String)]] = []
        var tried = 0, rejected = 0
        let started = Date()
        while tried < count && Date().timeIntervalSince(started) < budget {
            var files = models[random.below(models.count)]
            let target = random.below(files.count)
            for _ in 0...random.below(3) { files[target].text = Self.mutate(files[target].text, &random) }
            tried += 1
            let lineCounts = Dictionary(files.map { ($0.path, $0.text.split(separator: "\n", omittingEmptySubsequences: false).count) }, uniquingKeysWith: { a, _ in a })
            let start = Date()
            do {
                _ = try SpecLoader.load(files)
                accepted.append(files)
            } catch let errors as SpecErrors {
                rejected += 1
                for diagnostic in errors.diagnostics {
                    guard let location = diagnostic.location, let lines = lineCounts[location.file] else {
                        XCTFail("error without a file of the spec (seed \(seed), variant \(tried)): \(diagnostic.message)\n\(files[target].text)"); continue
                    }
                    XCTAssertTrue((1...lines + 1).contains(location.line) && location.column >= 1,
                                  "error outside \(location.file) (\(lines) lines) at \(location.line):\(location.column): \(diagnostic.message)\n\(files[target].text)")
                }
            } catch {
                XCTFail("not a spec error (seed \(seed), variant \(tried)): \(error)\n\(files[target].text)")
            }
            let seconds = Date().timeIntervalSince(start)
            XCTAssertLessThan(seconds, 1, "checking took \(seconds) s (seed \(seed), variant \(tried)):\n\(files[target].text)")
        }
        // Accepted variants apply to an empty database: a sample, spread over the run.
        let applying = Int(environment["TENANTWALL_FUZZ_APPLY"] ?? "") ?? 6
        let sample = stride(from: 0, to: accepted.count, by: max(1, accepted.count / max(applying, 1))).map { accepted[$0] }
        for files in sample {
            let spec = try SpecLoader.load(files)
            let (_, db) = try TestServer.freshDatabase("fuzz")
            var notes: [String] = []
            let adapted = try ServerCapabilities(connection: db).adapt(spec, notes: &notes)
            guard try ServerCapabilities(connection: db).missing(for: adapted).isEmpty else { continue }
            do { try LiveDatabase(connection: db).apply(adapted) } catch {
                XCTFail("check accepted this variant, but it does not apply (seed \(seed)): \(error)\n" + files.map { "--- \($0.path)\n\($0.text)" }.joined(separator: "\n"))
            }
        }
        print("spec fuzz: seed \(seed), \(tried) variants, \(rejected) rejected with located errors, \(accepted.count) accepted, \(sample.count) applied")
        XCTAssertGreaterThan(tried, 50, "the fuzz ran")
    }
}
