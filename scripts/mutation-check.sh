#!/usr/bin/env bash
# Mutation check: breaks one wall or safety property at a time, runs the tests that should notice, and expects
# them to fail. Every survivor is a missing test. Not part of CI (it rebuilds and reruns tests once per
# mutation: about a minute each on 2 cores); its score goes in the closing note of any change to the
# generator, the runner or the verifier.
#
#   scripts/mutation-check.sh            all mutations
#   scripts/mutation-check.sh force alg  only these (by name)
#
# Each mutation is an exact text replacement in one source file. If the text is no longer there, the script
# says so and counts it as an error, so the list cannot silently drift away from the code. The source tree
# is restored after each mutation (and on Ctrl-C).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --build-tests >/dev/null || exit 2
exec python3 - "$@" <<'PY'
import os, shutil, subprocess, sys, time

MUTATIONS = [
    # (name, file, original text, mutated text, tests that must fail)
    ("force", "Sources/PolicyGen/Generation/PolicyStatements.swift",
     '"ALTER TABLE \\(relation) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"',
     '"ALTER TABLE \\(relation) ENABLE ROW LEVEL SECURITY"',
     "ExampleSpecTests/testEveryExampleAppliesIdempotentlyAndHoldsItsWalls"),
    ("session-context", "Sources/PolicyGen/Generation/HelperCore.swift",
     "    ignored := pg_catalog.set_config(setting, value, true);",
     "    ignored := pg_catalog.set_config(setting, value, false);",
     "ExampleSpecTests/testContextIsTransactionLocalAndFailsClosed"),
    ("insert-without-check", "Sources/PolicyGen/Generation/PolicyStatements.swift",
     'check: command == .select || command == .delete ? nil : predicate))',
     'check: command == .select || command == .delete ? nil : (command == .insert ? "true" : predicate)))',
     "VerifyTests/testCleanDatabaseVerifiesAndLeavesEveryRowAsItWas"),
    ("default-tenant", "Sources/PolicyGen/Generation/HelperCore.swift",
     "AS $$ SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.int8 $$;",
     "AS $$ SELECT COALESCE(NULLIF(pg_catalog.current_setting(setting, true), ''), '0')::pg_catalog.int8 $$;",
     "ExampleSpecTests/testNoContextIsNullAndZeroRows"),
    ("no-advisory-lock", "Sources/Deploy/MigrationRunner.swift",
     'if try connection.query("SELECT pg_try_advisory_lock($1)", [String(HistorySQL.lockKey)]).flag {',
     'if try connection.query("SELECT true", []).flag {',
     "MigrationTests/testLockNotAcquiredExitsThree|MigrationTests/testEightConcurrentRunnersApplyEveryFileExactlyOnce"),
    ("no-alg-check", "Sources/PolicyGen/Generation/SignedContextStatements.swift",
     "IF header->>'alg' IS DISTINCT FROM 'HS256' THEN",
     "IF header IS NULL THEN",
     "SignedBindingTests/testOnlyAValidTokenBindsATenant"),
    ("no-enabled-at", "Sources/PolicyGen/Generation/HelperCore.swift",
     "          AND l.enabled_at OPERATOR(pg_catalog.=) pg_catalog.now()) $$;",
     "          AND true) $$;",
     "ExampleSpecTests/testAdminTokenCannotBeReplayed"),
    ("no-attach-trigger", "Sources/PolicyGen/Generation/TimeSeriesStatements.swift",
     "WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')",
     "WHEN TAG IN ('CREATE TABLE')",
     "ExampleSpecTests/testAttachedPartitionsAreClosedToTheApplication"),
    ("verify-update-delete-always-pass", "Sources/Verification/TableProbe.swift",
     "                         passed: unchanged && refusedByAWall)",
     "                         passed: true)",
     "VerifyTests/testUpdatePolicyWithoutScope|VerifyTests/testDeletePolicyWithoutScope|VerifyTests/testUpdateCheckThatLetsARowMove"),
    ("no-partition-revoke", "Sources/PolicyGen/Generation/HelperCore.swift",
     "        EXECUTE format('REVOKE ALL ON TABLE %s FROM %s', rel, grantee);",
     "        NULL;",
     "ExampleSpecTests/testAttachedPartitionsAreClosedToTheApplication"),
    ("chunk-grants-table-level", "Sources/PolicyGen/Generation/GrantStatements.swift",
     "table.hypertable == nil || $0 == .delete ? $0.sql : $0.sql + \" \" + columns",
     "$0.sql",
     "TimescaleDBTests/testEveryChunkIsClosedToEveryRoleForEveryCommandFromTheMomentItExists"),
    ("chunk-schema-open", "Sources/PolicyGen/Generation/SchemaStatements.swift",
     'out.append(Statement(key, "GRANT USAGE ON SCHEMA \\(name) TO \\(SQL.identList(writers))",',
     'out.append(Statement(key, "GRANT USAGE ON SCHEMA \\(name) TO PUBLIC",',
     "TimescaleDBTests/testEveryChunkIsClosedToEveryRoleForEveryCommandFromTheMomentItExists"),
    ("owner-without-connection-limit", "Sources/PolicyGen/Generation/RoleStatements.swift",
     '"LOGIN CONNECTION LIMIT 0 NOBYPASSRLS"',
     '"LOGIN NOBYPASSRLS"',
     "TimescaleDBTests/testTheOwnerRunsJobsInTheBackgroundButNoClientCanLogInAsIt"),
    ("no-file-transaction", "Sources/Deploy/MigrationRunner.swift",
     'try connection.execute("BEGIN; \\(timeouts(file, local: true)); SET LOCAL synchronous_commit = off")',
     'try connection.execute(timeouts(file, local: false))',
     "MigrationTests/testSyntaxErrorOnLineSevenNamesFileAndLineAndAppliesNothing|MigrationTests/testRuntimeErrorRollsBackTheFileAndPointsAtTheStatement|MigrationTests/testKilledRunLeavesNoPartialEffectsAndNoStaleLock"),
    ("verify-forged-token-always-passes", "Sources/Verification/Checks/AdminForgedToken.swift",
     'actual: forged, passed: forged == "false")',
     'actual: forged, passed: true)',
     "VerifyTests/testAdminModeThatTrustsAnyToken"),
    ("chunk-rls-not-enabled", "Sources/PolicyGen/Generation/HelperCore.swift",
     "        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', chunk);",
     "        NULL;",
     "TimescaleDBTests/testApplyAndTheJobEnableRLSOnEveryChunkWithEitherHelpers"),
    ("verify-chunk-write-any-error", "Sources/Verification/TableProbe.swift",
     'let refused = attempt.error?.sqlState == "42501"',
     'let refused = attempt.error != nil',
     "VerifyTests/testPartitionWriteRefusedOnlyByAWall"),
    ("pgtap-select-always-passes", "Sources/Verification/Checks/SelectOwnRows.swift",
     """pass: "$1 = '0' AND $2 ~ '^[1-9][0-9]*$'",""",
     """pass: "true",""",
     "PgTAPTests/testScriptPassesAndFailsAsVerifyDoes"),
    ("native-reader-in-subselect", "Sources/PolicyGen/Spec/Sections/Tenancy.swift",
     "public var nativeReader: Bool { helpers == .extension && binding != .role }",
     "public var nativeReader: Bool { false }",
     "NativeFastPathTests/testPoliciesCallTheNativeReaderAsAnIndexCondition"),
    ("citus-no-fan-out-guard", "Sources/PolicyGen/Generation/HelperStatements.swift",
     """fanOut == .allow ? "" : "\\n    SET LOCAL citus.multi_task_query_log_level""",
     """true ? "" : "\\n    SET LOCAL citus.multi_task_query_log_level""",
     "CitusTests/testExampleHoldsItsWallsOnEveryShardThroughIsolationAndMoves"),
    ("citus-partition-placements-unread", "Sources/Citus/CitusPlacements.swift",
     "for relation in relations.isEmpty ? [table] : relations {",
     "for relation in [table] {",
     "CitusTests/testTimePartitionedDistributedTable"),
    ("wall-without-check-option", "Sources/PolicyGen/Generation/WallStatements.swift",
     "                    WITH CASCADED CHECK OPTION\n",
     "\n",
     "WalledDeployTests/testTheK8sExampleAppliesWalledCompressesRefreshesAndHoldsEveryWall|WalledVerifyTests/testVerifyHoldsOnTheGeneratedWalledFormAndARollupOverIt"),
    ("walled-storage-granted", "Sources/PolicyGen/Generation/WalledTableStatements.swift",
     '"REVOKE ALL ON TABLE \\(storageName) FROM PUBLIC, \\(access)",',
     '"GRANT SELECT ON TABLE \\(storageName) TO \\(access)",',
     "WalledVerifyTests/testVerifyHoldsOnTheGeneratedWalledFormAndARollupOverIt"),
    ("wall-admits-every-tenant", "Sources/PolicyGen/Generation/WallPredicate.swift",
     '+ " ELSE \\(own) END ELSE \\(own) END)::',
     '+ " ELSE \\(own) END ELSE \\(Self.adminTenantsFunction(spec))() END)::',
     "WalledDeployTests/testTheK8sExampleAppliesWalledCompressesRefreshesAndHoldsEveryWall|WalledVerifyTests/testVerifyHoldsOnTheGeneratedWalledFormAndARollupOverIt"),
    ("access-model-drops-restrictive", "Sources/Proof/Access/AccessModel+Reach.swift",
     "return restrictive.isEmpty ? admitted : .and([admitted] + restrictive)",
     "return admitted",
     "ReviewSuiteTests/testReviewClassifiesEveryCase|AuditSemanticTests/testBlindSpotsAreFoundAndTheirWitnessesHoldOnTheServer"),
    ("citus-admin-wall-as-gate-only", "Sources/Review/Witness/ProveOptions.swift",
     'if spec.tenancy.citus { options.gateConditions.append("CURRENT_USER = " + SQL.literal(roles.admin)) }',
     "_ = ()",
     "CitusTests/testProveHoldsOnTheExample"),
    ("export-trusts-the-walls", "Sources/PolicyGen/Lifecycle/TenantDataPlan.swift",
     'return "\\(SQL.ident(alias)).\\(SQL.ident(column)) = \\(tenant)"',
     'return "true"',
     "TenantExportTests/testABrokenPolicyLeaksNothingIntoTheExport"),
    ("erasure-through-the-walled-view", "Sources/PolicyGen/Lifecycle/TenantDataPlan.swift",
     '"DELETE FROM \\(entry.relation(owner: true)) AS t',
     '"DELETE FROM \\(entry.relation(owner: false)) AS t',
     "TenantExportExampleTests"),
]

only = set(sys.argv[1:])
selected = [m for m in MUTATIONS if not only or m[0] in only]
unknown = only - {m[0] for m in MUTATIONS}
if unknown:
    print("unknown mutation(s): " + ", ".join(sorted(unknown)), file=sys.stderr)
    sys.exit(2)

def run_tests(filter_):
    """0 when the tests passed, else their exit status; the build must succeed for a verdict."""
    build = subprocess.run(["swift", "build", "--build-tests"], capture_output=True, text=True)
    if build.returncode != 0:
        return "build failed", build.stdout[-2000:] + build.stderr[-2000:]
    test = subprocess.run(["swift", "test", "--skip-build", "--disable-swift-testing", "--filter", filter_], capture_output=True, text=True)
    out = test.stdout + test.stderr
    if "Executed 0 tests" in out or "No matching test cases" in out:
        return "no tests ran", out[-1500:]
    return test.returncode, out

killed, survived, errors = [], [], []
for name, path, old, new, filter_ in selected:
    source = open(path, encoding="utf-8").read()
    if source.count(old) != 1:
        errors.append(f"{name}: the text to mutate occurs {source.count(old)} times in {path}")
        print(f"ERROR    {name}: text not found exactly once in {path}", flush=True)
        continue
    backup = path + ".mutation-backup"
    shutil.copyfile(path, backup)
    started = time.time()
    try:
        open(path, "w", encoding="utf-8").write(source.replace(old, new))
        status, out = run_tests(filter_)
    finally:
        shutil.move(backup, path)
        # The restored file is older than the mutated build: touch it, or the next incremental build keeps the
        # mutation (SwiftPM compares modification times).
        os.utime(path, None)
    seconds = time.time() - started
    if status == 0:
        survived.append(name)
        print(f"SURVIVED {name} ({seconds:.0f} s): {filter_} still passes", flush=True)
    elif isinstance(status, str):
        errors.append(f"{name}: {status}")
        print(f"ERROR    {name}: {status}\n{out}", flush=True)
    else:
        killed.append(name)
        failing = sorted({line.split("error: ")[1].split(" :")[0] for line in out.splitlines() if "error: " in line and " : " in line})
        print(f"killed   {name} ({seconds:.0f} s) by {', '.join(failing[:3]) or filter_}", flush=True)

# Leave the build as the sources are.
subprocess.run(["swift", "build", "--build-tests"], capture_output=True)
total = len(killed) + len(survived)
print(f"\nmutation score: {len(killed)}/{total} killed" + (f", {len(errors)} error(s)" if errors else ""))
for e in errors:
    print("  error: " + e)
sys.exit(0 if not survived and not errors else 1)
PY
