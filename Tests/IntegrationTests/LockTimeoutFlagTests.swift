import Foundation
import XCTest

/// `--lock-timeout` means PostgreSQL's lock_timeout in `migrate` as in `plan` and `apply`; the wait for another
/// runner is `--lock-wait` (docs/migrations.md, "Lock timeouts"). Each file records the lock_timeout it ran with.
extension MigrationTests {
    func recordingFile(_ version: Int) throws {
        try write("V\(version)__record.sql", "INSERT INTO seen VALUES (\(version), current_setting('lock_timeout'));\n")
    }

    func testLockTimeoutIsEachMigrationsLockTimeoutAndTheOldSpellingsStillWork() throws {
        try write("V1__seen.sql", "CREATE TABLE seen (version int, lock_timeout text);\nINSERT INTO seen VALUES (1, current_setting('lock_timeout'));\n")
        let first = try tenantwall(["migrate", "--lock-timeout", "1234ms"])
        XCTAssertEqual(first.status, 0, first.stderr)
        // Pipelines written for the old meaning are told, once per run, until they name --lock-wait.
        XCTAssertTrue(first.stderr.contains("note: --lock-timeout 1234ms is each migration's lock_timeout") && first.stderr.contains("--lock-wait"), first.stderr)

        try recordingFile(2)
        let old = try tenantwall(["migrate", "--migration-lock-timeout", "2345ms", "--lock-wait", "5s"])
        XCTAssertEqual(old.status, 0, old.stderr)
        XCTAssertFalse(old.stderr.contains("note:"), old.stderr)

        try recordingFile(3)
        let both = try tenantwall(["migrate", "--lock-timeout", "3s", "--migration-lock-timeout", "4s"])
        XCTAssertEqual(both.status, 2, "two names of one setting with different values is a usage error")
        XCTAssertTrue(both.stderr.contains("--migration-lock-timeout is the old name of --lock-timeout"), both.stderr)

        let defaults = try tenantwall(["migrate", "--lock-wait", "5s"])
        XCTAssertEqual(defaults.status, 0, defaults.stderr)
        XCTAssertEqual(try db.query("SELECT string_agg(version || '=' || lock_timeout, ',' ORDER BY version) FROM seen").scalar, "1=1234ms,2=2345ms,3=10s")

        XCTAssertEqual(try tenantwall(["migrate", "--lock-timeout", "soon"]).status, 2, "a duration is checked before connecting")
    }
}
