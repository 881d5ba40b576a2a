import Foundation
import SQLParser

/// The mechanical fixes of a set of findings, as a migration file `migrate` can apply.
///
/// A fix goes in when it is SQL that PostgreSQL's parser accepts as it stands and can run in the file's
/// transaction. Fixes with a placeholder (`<owner role>`), advice in words, or `CONCURRENTLY` (which needs a
/// no-transaction file of its own) are listed as comments to apply by hand.
public enum FixMigration {
    public static func script(_ findings: [Finding]) -> (sql: String, applied: Int, byHand: Int) {
        var statements: [String] = [], manual: [String] = [], seen: Set<String> = []
        for finding in findings where !finding.baselined {
            guard let fix = finding.fix, seen.insert(fix).inserted else { continue }
            let runnable = !fix.contains("<") && !fix.uppercased().contains("CONCURRENTLY")
                && ((try? SQLParser.statements(in: fix))?.isEmpty == false)
            if runnable {
                statements.append("-- \(finding.ruleId) \(finding.location.description): \(finding.message)\n\(fix.hasSuffix(";") ? fix : fix + ";")")
            } else {
                manual.append("-- \(finding.ruleId) \(finding.location.description): \(fix)")
            }
        }
        var sql = "-- Mechanical fixes written by `tenantwall audit --write-fix`. Review, then `tenantwall migrate`.\nSET lock_timeout = '5s';\n"
        if !statements.isEmpty { sql += "\n" + statements.joined(separator: "\n\n") + "\n" }
        if !manual.isEmpty { sql += "\n-- To apply by hand (placeholders, advice, or CONCURRENTLY in a no-transaction file):\n" + manual.joined(separator: "\n") + "\n" }
        return (sql, statements.count, manual.count)
    }
}
