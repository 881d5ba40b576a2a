import Foundation

/// JSON for machines: `VerifyReport` as it is (its shape is documented in docs/verify.md), keys sorted.
public enum JSONReport {
    public static func render(_ report: VerifyReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).flatMap { String(data: $0, encoding: .utf8) }.map { $0 + "\n" } ?? "{}\n"
    }
}
