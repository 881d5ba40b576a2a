import Foundation
import Identity
import Migrations
import PolicyGen
import Quoting
import Reporting

/// `tenantwall verify --emit-pgtap FILE`: the checks of a verify run as a pgTAP script that a team keeps in its
/// own repository and runs with `pg_prove` (Debian's `postgresql-NN-pgtap`), without tenantwall installed.
///
/// Each check's block is written by the check itself (`CheckResult.tap`), from the same statements it ran:
/// the same role and context, the same attempt, the same pass condition in SQL. Everything happens in one
/// transaction that is rolled back, each table's probe rows in a savepoint of their own, so the script leaves
/// nothing behind. In the signed binding the script signs its probe tokens with a key of its own that it adds
/// inside that transaction: the tokens are worthless outside it. Partitions and chunks are named as they were
/// when the script was written: write it again after they change (a dropped chunk fails its test).
public enum PgTAPScript {
    static let seedId = "tw-pgtap-seed"
    /// The key id the script's own signing key carries.
    static let keyId = "tenantwall-pgtap"

    /// The helpers every block uses (`PgTAPPrelude`).
    static var prelude: String { PgTAPPrelude.helpers }

    public static func render(_ report: VerifyReport, spec: String) -> String {
        let blocks = report.checks.filter { $0.tap != nil && $0.id != seedId }
        var out = """
            -- tenantwall verify as pgTAP: \(blocks.count) tests for \(report.database) (PostgreSQL \(report.serverVersion)), written \(report.startedAt).
            -- Spec: \(spec). Run: pg_prove -d DATABASE THIS_FILE, connected as a superuser or a BYPASSRLS role that
            -- may SET ROLE to the spec's roles. Everything runs in one transaction that is rolled back, on one
            -- snapshot, so that the application's commits meanwhile are not taken for changes the tests made.
            \\set ON_ERROR_STOP 1
            \\pset pager off
            BEGIN ISOLATION LEVEL REPEATABLE READ;
            CREATE EXTENSION IF NOT EXISTS pgtap;
            SELECT plan(\(blocks.count));

            """
        out += prelude + "\n"
        for table in uniqued(report.checks.map(\.table)) {
            let mine = report.checks.filter { $0.table == table }
            let tests = mine.filter { $0.tap != nil && $0.id != seedId }
            if let unprobed = mine.first(where: \.notProbed) {
                // No probe rows, so no tests: said in the script, so that a reader sees the hole.
                out += "\n-- \(table): NOT PROBED, no tests (\(unprobed.actual.replacingOccurrences(of: "\n", with: " ")))\n"
            }
            guard !tests.isEmpty else { continue }
            out += "\n-- \(table)\nSAVEPOINT tw_table;\n"
            if let seed = mine.first(where: { $0.id == seedId })?.tap { out += seed + "\n" }
            for check in tests { out += check.tap! + "\n" }
            out += "ROLLBACK TO SAVEPOINT tw_table;\n"
        }
        // No finish(): pgTAP keeps its tallies in rows that each table's ROLLBACK TO SAVEPOINT undoes; the plan
        // above is what pg_prove counts against.
        return out + "\nROLLBACK;\n"
    }

    /// The script's own signing key (signed binding), added before each table's probe rows.
    static func keyInsert(_ spec: Spec, secret: [UInt8]) -> String {
        let blocks = SigningKeyBlocks(secret: secret)
        let hex = { (bytes: [UInt8]) in SQL.literal(SigningKeyBlocks.byteaHex(bytes)) + "::bytea" }
        return "INSERT INTO \(SQL.qualified(spec.tenancy.helperSchema, "signing_keys")) (id, inner_key, outer_key) VALUES "
            + "(\(SQL.literal(keyId)), \(hex(blocks.inner)), \(hex(blocks.outer))) ON CONFLICT (id) DO UPDATE SET inner_key = EXCLUDED.inner_key, outer_key = EXCLUDED.outer_key, retired_at = NULL"
    }
}

extension Verifier.Settings {
    /// Checks also write their pgTAP blocks; with the signed binding the script signs its probe tokens with a
    /// key of its own, added inside its rolled-back transaction (and so do the probes of this run).
    public mutating func writePgTAP(for spec: Spec) {
        pgTAP = true
        guard spec.tenancy.binding == .signed else { return }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if secret == nil { secret = key }
        scriptSecret = key
    }
}
