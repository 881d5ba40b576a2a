import Foundation
import Deploy
import Identity
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import TenantwallBench
import Verification
import XCTest

/// `verify` and `bench` against a database that is serving its application (issue #27, "Under load"): the
/// support-desk example with real tickets, five clients of its API each looping its own organisation's
/// transactions, and verify run again and again beside a short bench. The clients see no error, every row
/// they wrote is there as written, no other row changed, verify says what it says on the quiet database, and
/// no client ever waited on a lock of verify's or bench's.
final class LoadTests: XCTestCase {
    static let clientCount = 5
    /// Six organisations: one per client, and one that nobody touches during the load.
    static let orgs = (1...6).map { String(format: "%08x-0000-4000-8000-%012x", $0, $0) }
    static let secret = Array("load-tests-secret-0123456789abcdef".utf8)

    struct Desk {
        var spec: Spec
        var db: Connection
        var conninfo: String
        var login: String
        /// Tickets per organisation before the load.
        var seeded: Int
    }

    func testVerifyAndBenchUnderLoadDisturbNoClient() throws {
        let desk = try deskWithData()
        let quiet = try outcomes(verify(desk))
        XCTAssertTrue(quiet.contains { $0.hasPrefix("public.tickets ") }, "verify probes the tickets table")
        let before = try state(desk.db)

        let clients = try Self.orgs.prefix(Self.clientCount).map { org in
            LoadClient(org: org, token: try token(desk.spec, org), conninfo: ConnectionString.with(desk.conninfo, [("user", desk.login), ("application_name", "load_client")]),
                       seeded: desk.seeded)
        }
        clients.forEach { $0.start() }
        let sampler = LockSampler(conninfo: desk.conninfo, clients: clients.map(\.pid))
        sampler.start()
        XCTAssertTrue(poll(timeout: 20) { clients.allSatisfy { $0.transactions > 0 } || clients.contains { !$0.errors.isEmpty } }, "every client commits")
        let atStart = clients.map(\.transactions)

        let (runs, bench) = try verifyBesideBench(desk)
        XCTAssertEqual(zip(clients, atStart).filter { $0.transactions <= $1 }.map(\.0.org), [], "every client kept committing while verify and bench ran")
        try showSamplerSeesAConflictingLock(desk, sampler)

        clients.forEach { $0.stop() }
        sampler.stop()

        let seen = sampler.findings
        print("load: \(clients.map(\.transactions).reduce(0, +)) client transactions, \(runs.count) verify runs, \(seen.samples) samples, "
              + "verify seen writing in \(seen.writing["tw_load_verify"] ?? 0), blocks \(seen.longestBlock)")
        XCTAssertEqual(clients.flatMap(\.errors), [], "no client saw an error")
        XCTAssertGreaterThanOrEqual(runs.count, 2)
        for (i, run) in runs.enumerated() {
            XCTAssertEqual(run, quiet, "verify run \(i + 1) under load: its outcome is the quiet database's; differs in \(Set(run).symmetricDifference(quiet).sorted())")
        }
        switch bench {
        case .success(let report):
            // Its plan checks are not judged here: on support-desk's tiny dataset `range` fails them on a quiet
            // server too (a sequential scan under the signed binding), which is bench's finding, not the load's.
            XCTAssertFalse(report.workloads.isEmpty, "bench measured its workloads")
            XCTAssertTrue(report.workloads.allSatisfy { $0.modes.allSatisfy { $0.throughput > 0 } }, "bench ran every mode under load")
        case .failure(let error): XCTFail("bench under load: \(error)")
        }
        XCTAssertEqual(try desk.db.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_bench_%'").scalar, "0", "bench's scratch database dropped")
        try assertRows(desk.db, before: before, clients: clients)
        assertNoLockHeldAgainstClients(sampler)
    }

    // MARK: the database and its application

    /// The support-desk example applied to a fresh database, its signing key set, and four tickets with two
    /// comments each per organisation, written as the application writes them: as a login role of the API,
    /// each organisation's through its own token and the generated setter.
    func deskWithData() throws -> Desk {
        var notes: [String] = []
        let (name, db) = try TestServer.freshDatabase("load")
        let spec = try ServerCapabilities(connection: db).adapt(SpecFiles.load([TestServer.path("policies/support-desk")]), notes: &notes)
        try TestServer.requireExtensions(spec, db)
        try LiveDatabase(connection: db).apply(spec)
        try SigningKeys.rotate(db, spec: spec, secret: Self.secret, id: "load", overlap: 0)
        let login = "load_desk_api_\(getpid())"
        try db.execute("""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = \(SQL.literal(login))) THEN CREATE ROLE \(SQL.ident(login)) LOGIN NOBYPASSRLS; END IF;
            END $$;
            GRANT \(SQL.ident(spec.roles.app)) TO \(SQL.ident(login));
            """)
        for (i, org) in Self.orgs.enumerated() {
            try db.query("INSERT INTO public.orgs (id, name) VALUES ($1::uuid, $2)", [org, "org \(i + 1)"])
        }
        let conninfo = try TestServer.shared.connectionString(database: name)
        let api = try Connection(ConnectionString.with(conninfo, [("user", login)]))
        for org in Self.orgs {
            try api.transaction {
                try api.query("SELECT desk.set_tenant_context($1)", [try token(spec, org)])
                for n in 1...4 {
                    let ticket = try api.query("INSERT INTO public.tickets (org_id, subject) VALUES ($1::uuid, $2) RETURNING id::text", [org, "seeded \(n)"]).scalar
                    try api.query("INSERT INTO public.comments (org_id, ticket_id, body) VALUES ($1::uuid, $2::bigint, 'first'), ($1::uuid, $2::bigint, 'second')", [org, ticket])
                }
            }
        }
        return Desk(spec: spec, db: db, conninfo: conninfo, login: login, seeded: 4)
    }

    func token(_ spec: Spec, _ org: String) throws -> String {
        try JWT.sign(JWT.claims(path: spec.tenancy.claim, value: org, expires: Date().addingTimeInterval(600)), secret: Self.secret)
    }

    // MARK: the tools under test

    func verify(_ desk: Desk) throws -> VerifyReport {
        var settings = Verifier.Settings()
        settings.secret = Self.secret
        return try Verifier(spec: desk.spec, conninfo: ConnectionString.with(desk.conninfo, [("application_name", "tw_load_verify")]), settings: settings).run()
    }

    /// Each check's outcome, without its evidence text (which names row counts and timings): what must not
    /// change under load.
    func outcomes(_ report: VerifyReport) -> [String] {
        report.checks.map { "\($0.table) \($0.role) \($0.tenant) \($0.id) \($0.command) \($0.status.rawValue)" }.sorted()
    }

    /// A short bench (the shortest configuration BenchTests uses) on a thread of its own, and verify run again
    /// and again until it ends (at least twice). Bench builds its dataset in a scratch database of its own: on
    /// the target database it only reads `pg_extension` and issues `CREATE DATABASE`, from one short session.
    func verifyBesideBench(_ desk: Desk) throws -> (runs: [[String]], bench: Result<BenchReport, Error>) {
        let bench = Bench.small(conninfo: ConnectionString.with(desk.conninfo, [("application_name", "tw_load_bench")]), spec: desk.spec, label: "support-desk")
        let done = DispatchSemaphore(value: 0)
        let result = BenchResult()
        Thread { [bench] in
            result.value = Result { try bench.run().report }
            done.signal()
        }.start()
        var runs: [[String]] = []
        var benchFinished = false
        repeat {
            runs.append(outcomes(try verify(desk)))
            if !benchFinished { benchFinished = done.wait(timeout: .now()) == .success }
        } while (!benchFinished || runs.count < 2) && runs.count < 60
        if !benchFinished { done.wait() }
        return (runs, result.value ?? .failure(LoadClientError("bench did not finish")))
    }

    /// The sampler's own control: a session named like a tool takes SHARE on the tickets table, which every
    /// client's INSERT waits on. The sampler must report that block and that lock, else its silence about
    /// verify and bench would prove nothing.
    func showSamplerSeesAConflictingLock(_ desk: Desk, _ sampler: LockSampler) throws {
        let control = try Connection(ConnectionString.with(desk.conninfo, [("application_name", "tw_load_control")]))
        try control.execute("BEGIN; LOCK TABLE public.tickets IN SHARE MODE")
        let seen = poll(timeout: 15) { (sampler.findings.longestBlock["tw_load_control"] ?? 0) >= 2 }
        try control.execute("ROLLBACK")
        XCTAssertTrue(seen, "the sampler sees clients blocked by a conflicting lock: \(sampler.findings.blocks)")
        XCTAssertTrue(sampler.findings.conflictingLocks["tw_load_control"]?.contains { $0.hasPrefix("ShareLock tickets ") } == true,
                      "the sampler sees the conflicting lock: \(sampler.findings.conflictingLocks)")
    }

    // MARK: what must hold

    /// verify's and bench's sessions never held or awaited a lock that conflicts with the clients' statements,
    /// and no client waited on either for more than one sample; verify was seen writing into the clients'
    /// tables (its probe rows) while they ran, so the overlap was real.
    func assertNoLockHeldAgainstClients(_ sampler: LockSampler) {
        XCTAssertNil(sampler.error, "the sampler read every sample")
        let findings = sampler.findings
        XCTAssertGreaterThan(findings.samples, 10)
        XCTAssertGreaterThan(findings.writing["tw_load_verify"] ?? 0, 0, "verify was seen holding ROW EXCLUSIVE on a client table (its probe rows) during the load")
        for tool in ["tw_load_verify", "tw_load_bench"] {
            XCTAssertLessThanOrEqual(findings.longestBlock[tool] ?? 0, 1, "\(tool) blocked a client for more than one sample: \(findings.blocks[tool] ?? [])")
            XCTAssertNil(findings.conflictingLocks[tool], "\(tool) held a lock that conflicts with the clients' statements")
        }
    }

    /// Rows as they were before the load (each table's rows per organisation, up to the highest id then), and
    /// the highest ids, which every later row exceeds.
    struct State: Equatable {
        var rows: [[String?]]
        var maxTicket: String
        var maxComment: String
    }

    func state(_ db: Connection, maxTicket: String? = nil, maxComment: String? = nil) throws -> State {
        let tickets = try maxTicket ?? db.query("SELECT coalesce(max(id), 0)::text FROM public.tickets").scalar ?? "0"
        let comments = try maxComment ?? db.query("SELECT coalesce(max(id), 0)::text FROM public.comments").scalar ?? "0"
        let rows = try db.query("""
            SELECT 'tickets', org_id::text, count(*)::text, md5(string_agg(t::text, ',' ORDER BY t.id)) FROM public.tickets AS t WHERE id <= $1::bigint GROUP BY org_id
            UNION ALL SELECT 'comments', org_id::text, count(*)::text, md5(string_agg(t::text, ',' ORDER BY t.id)) FROM public.comments AS t WHERE id <= $2::bigint GROUP BY org_id
            UNION ALL SELECT 'orgs', id::text, '1', md5(t::text) FROM public.orgs AS t
            ORDER BY 1, 2
            """, [tickets, comments]).rows
        return State(rows: rows, maxTicket: tickets, maxComment: comments)
    }

    /// No row that was there before changed, and the rows after it are exactly the clients' writes as the
    /// clients last saw them: no probe row left, none lost, none altered.
    func assertRows(_ db: Connection, before: State, clients: [LoadClient]) throws {
        XCTAssertEqual(try state(db, maxTicket: before.maxTicket, maxComment: before.maxComment), before, "no pre-existing row changed, per table and organisation")
        let later = try db.query("""
            SELECT 'tickets:' || id, t::text FROM public.tickets AS t WHERE id > $1::bigint
            UNION ALL SELECT 'comments:' || id, t::text FROM public.comments AS t WHERE id > $2::bigint
            """, [before.maxTicket, before.maxComment]).rows
        let found = Dictionary(later.map { ($0[0] ?? "", $0[1] ?? "") }, uniquingKeysWith: { a, _ in a })
        let written = clients.reduce(into: [String: String]()) { all, client in all.merge(client.written) { a, _ in a } }
        XCTAssertGreaterThan(written.count, Self.clientCount * 3)
        XCTAssertEqual(found.count, later.count)
        XCTAssertEqual(Set(found.keys).symmetricDifference(written.keys).sorted(), [], "the rows added are exactly the clients' own")
        XCTAssertEqual(found.filter { written[$0.key] != $0.value }.keys.sorted(), [], "every row a client wrote is there as written")
    }
}

/// Bench's outcome, handed from its thread.
final class BenchResult: @unchecked Sendable {
    var value: Result<BenchReport, Error>?
}
