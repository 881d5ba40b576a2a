import Foundation
import Quoting
import Reporting

/// `tenantwall prove --emit-pgtap FILE`: one pgTAP test per obligation, for `pg_prove` on the database the
/// obligations describe (or any built the same way). A held obligation is a passing test (the solver proved it:
/// there is nothing to run); a failed one runs its witness and passes only when PostgreSQL refuses it, so the
/// script fails until the wall is fixed and passes after; an undecided one, or a failure with no runnable
/// witness, is a failing test that says why. Everything runs in one transaction that is rolled back.
public enum ProvePgTAPScript {
    static var prelude: String { PgTAPPrelude.helpers }

    public static func render(_ report: ProveReport) -> String {
        var out = """
            -- tenantwall prove as pgTAP: \(report.obligations.count) tests (\(report.held.count) held, \(report.failed.count) failed, \(report.unknown.count) unknown) for \(report.source).
            -- Run: pg_prove -d DATABASE THIS_FILE, connected as a superuser. Each failed obligation's counterexample is run
            -- as its role and passes only when PostgreSQL refuses it; everything is rolled back.
            \\set ON_ERROR_STOP 1
            \\pset pager off
            BEGIN;
            CREATE EXTENSION IF NOT EXISTS pgtap;
            SELECT plan(\(report.obligations.count));

            """
        out += prelude + "\n"
        for proved in report.obligations {
            let o = proved.obligation
            let name = "\(o.object) \(o.command.rawValue)\(o.clause.map { " " + $0 } ?? "") as \(o.role): \(o.kind.rawValue)"
            out += "\n-- \(oneLine(o.detail))\n"
            switch proved.state {
            case "holds":
                out += "SELECT pass(\(SQL.literal(name + " holds (proved)")));\n"
            case "fails":
                if let plan = proved.run?.plan {
                    out += plan.tap(name + ": the counterexample is refused") + "\n"
                } else {
                    out += "SELECT fail(\(SQL.literal(name + " fails: " + oneLine(proved.confirmation ?? o.detail))));\n"
                }
            default:
                var why = o.detail
                if case .unknown(let reason) = o.verdict { why = reason } else if let confirmation = proved.confirmation { why = confirmation }
                out += "SELECT fail(\(SQL.literal(name + " undecided: " + oneLine(why))));\n"
            }
        }
        return out + "\nROLLBACK;\n"
    }

    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
