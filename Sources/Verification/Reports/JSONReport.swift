import Foundation
import Reporting

/// JSON for machines: `VerifyReport` as it is (its shape is documented in docs/verify.md), through the one
/// JSON writer every command uses.
public enum JSONReport {
    public static func render(_ report: VerifyReport) -> String {
        // A report holds no non-finite numbers, the one thing the encoder refuses.
        (try? JSONWriter.render(report)) ?? "{}\n"
    }
}
