/// The exit codes, a public contract for pipelines: the root command's help prints `help`, the README's
/// "Exit codes" section says the same, and CommandLineTests checks both against every code here.
enum ExitCodes {
    static let ok: Int32 = 0
    /// A finding, not a malfunction: the pipeline should stop and a person look.
    static let finding: Int32 = 1
    /// Usage, spec, connection or tool error: the command could not do its job.
    static let error: Int32 = 2
    /// `migrate`, `baseline`, `repair`: another runner held the migration lock for all of `--lock-wait`.
    static let lockNotAcquired: Int32 = 3

    /// Lines under 80 columns: the help is not reflowed when they fit.
    static let help = """
        Exit codes (each command's help says which it uses):
          0    ok: done, in sync, every wall holds, nothing at or above --fail-on
          1    a finding: plan differences or blockers, apply refused, a verify
               or demo check failed or a table could not be probed, audit
               findings, review changes at or above --fail-on, status needs
               attention, migrate stopped before applying anything, a bench
               plan check or --max-overhead
          2    usage, spec, connection or tool error; a migration that failed
               (rolled back)
          3    the migration lock was not acquired within --lock-wait
               (migrate, baseline, repair)
          130  interrupted by Ctrl-C (SIGINT), after dropping what the run
               created (scratch databases, roles, the embedded server)
          143  ended by SIGTERM (a cancelled CI job), after the same cleanup
          Any other status is not tenantwall's own: the process was killed by
          another signal (a shell reports 128 + its number) or crashed.
        """
}
