import Quoting

extension TenantColumnPlan {
    /// The same steps as one migration file for `tenantwall migrate`.
    ///
    /// The file runs outside a transaction (`-- tenantwall:no-transaction`): `CREATE INDEX CONCURRENTLY` needs
    /// that, and so does the fill, a `DO` block that commits after each batch. The runner sets the lock timeout
    /// from the directive and retries a statement that failed with 55P03, the ones before it staying done. Each
    /// statement can run again after an interruption (`IF NOT EXISTS`, `OR REPLACE`, the check dropped and added
    /// again, the index dropped and built again), so after `tenantwall repair` the file finishes.
    public func migration(lockTimeout: String, lockRetries: Int, dropFill: Bool = false) -> String {
        let fill = """

            DECLARE
              n bigint;
            BEGIN
              LOOP
                \(fillBatch);
                GET DIAGNOSTICS n = ROW_COUNT;
                EXIT WHEN n = 0 AND NOT EXISTS (\(pickNulls));
                COMMIT;
              END LOOP;
            END

            """
        let statements: [(String, String)] = [
            ("1. add the column: nullable, no default, no rewrite", addColumn),
        ] + installFill.map { ("rows written from now on take their tenant from here", $0) } + [
            ("2. fill in batches of \(batchSize) rows, one transaction each", "DO " + SQL.dollarQuoted(fill)),
            ("3. prove it: a NOT VALID check, validated without blocking writes (dropped first if a run stopped after it)", dropCheck),
            ("", addCheck),
            ("", validateCheck),
            ("4. NOT NULL through the validated check (no scan), then the check is redundant", setNotNull),
            ("", dropCheck),
            ("5. the index, concurrently (an invalid one left by an interrupted build is dropped first)", dropIndex),
            ("", createIndex),
        ] + (dropFill ? self.dropFill : []).enumerated().map { i, statement in (i == 0 ? "the application writes the column itself: the fill-in goes" : "", statement) }
        var text = """
            -- tenantwall:no-transaction
            -- tenantwall:lock-timeout=\(lockTimeout)
            -- tenantwall:lock-retries=\(lockRetries)
            -- Written by `tenantwall tenant-column add`: \(oneLine(relation)) gains the tenant column \(oneLine(col)) (\(oneLine(type))).

            """
        for (comment, statement) in statements {
            if !comment.isEmpty { text += "\n-- " + comment + "\n" }
            // The table has a tenant column and no RLS yet (TW101): the policies come next, from the spec.
            if statement == addColumn { text += "-- tenantwall:allow TW101 reason: onboarding comes first; enable RLS with the policies tenantwall generate writes\n" }
            text += statement + ";\n"
        }
        return text
    }

    /// A name inside a comment line: a newline in it would end the comment and start SQL.
    func oneLine(_ text: String) -> String { String(text.map { $0.isNewline ? " " : $0 }) }
}
