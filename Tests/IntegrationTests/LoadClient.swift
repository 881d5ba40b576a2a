import Foundation
import Postgres

/// One application client of the support-desk example, for `LoadTests`: on a connection of its own, as the
/// application's login role, it loops the transactions the application runs for its organisation (bind the
/// signed token through the generated setter, read its tickets, open a ticket, change the status of one it
/// opened, comment on it) until stopped.
///
/// It records every error it sees (a thrown error, or a read that shows anything but its own tickets), and
/// every row it wrote as the server returned it after the last write, keyed `table:id`, only once its
/// transaction committed: what the test later finds in the tables must be exactly that.
final class LoadClient: @unchecked Sendable {
    let org: String
    let token: String
    let conninfo: String
    /// The organisation's tickets before the load: every read must see these and the client's own, no more.
    let seeded: Int

    private let lock = NSLock()
    private var errorList: [String] = []
    private var writtenRows: [String: String] = [:]
    private var committed = 0
    private var stopping = false
    private var backend: Int32 = 0
    private let ready = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    /// Ids of the tickets this client opened (touched only on its own thread).
    private var ownTickets: [String] = []

    init(org: String, token: String, conninfo: String, seeded: Int) {
        self.org = org
        self.token = token
        self.conninfo = conninfo
        self.seeded = seeded
    }

    var errors: [String] { lock.withLock { errorList } }
    var written: [String: String] { lock.withLock { writtenRows } }
    var transactions: Int { lock.withLock { committed } }
    /// The server process of the client's connection, for the lock sampler.
    var pid: Int32 { lock.withLock { backend } }

    /// Connects and starts looping on a thread of its own; returns once connected (or failed to).
    func start() {
        Thread { self.loop() }.start()
        ready.wait()
    }

    /// Asks the loop to end after the transaction in flight, and waits for it.
    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }

    private func record(_ error: String) { lock.withLock { errorList.append(error) } }

    private func loop() {
        defer { finished.signal() }
        let db: Connection
        do {
            db = try Connection(conninfo)
            // A bound, so that a client stuck behind a lock fails the test rather than hanging it.
            try db.execute("SET statement_timeout = '20s'")
            lock.withLock { backend = db.backendPID }
        } catch {
            record("connect: \(error)")
            ready.signal()
            return
        }
        ready.signal()
        var round = 0
        while !lock.withLock({ stopping }) {
            round += 1
            do {
                try transaction(db, round)
            } catch {
                record("transaction \(round): \(error)")
                _ = try? db.execute("ROLLBACK")
            }
        }
    }

    /// One application transaction; its writes count only once it committed.
    private func transaction(_ db: Connection, _ round: Int) throws {
        try db.execute("BEGIN")
        try db.query("SELECT desk.set_tenant_context($1)", [token])
        let seen = try db.query("SELECT count(*)::text, count(*) FILTER (WHERE org_id <> $1::uuid)::text FROM public.tickets", [org]).rows.first ?? []
        let expected = seeded + ownTickets.count
        if seen != ["\(expected)", "0"] {
            record("transaction \(round): saw \(seen.map { $0 ?? "NULL" }) tickets (all, another org's), expected \(expected) own and 0")
        }
        var rows: [String: String] = [:]
        let opened = try db.query("INSERT INTO public.tickets AS t (org_id, subject) VALUES ($1::uuid, $2) RETURNING t.id::text, t::text",
                                  [org, "load \(round)"]).rows
        guard let ticket = opened.first?[0] ?? nil else { throw LoadClientError("INSERT returned no ticket") }
        rows["tickets:\(ticket)"] = opened[0][1] ?? ""
        // One of its own tickets, never a row the client did not write: seeded rows must stay as they were.
        let target = ownTickets.randomElement() ?? ticket
        let updated = try db.query("UPDATE public.tickets AS t SET status = $2 WHERE id = $1::bigint RETURNING t.id::text, t::text",
                                   [target, "pending \(round)"]).rows
        guard updated.count == 1, let text = updated[0][1] else { throw LoadClientError("UPDATE of its own ticket \(target) changed \(updated.count) rows") }
        rows["tickets:\(target)"] = text
        let comment = try db.query("INSERT INTO public.comments AS c (org_id, ticket_id, body) VALUES ($1::uuid, $2::bigint, $3) RETURNING c.id::text, c::text",
                                   [org, target, "comment \(round)"]).rows
        guard let commentId = comment.first?[0] ?? nil else { throw LoadClientError("INSERT returned no comment") }
        rows["comments:\(commentId)"] = comment[0][1] ?? ""
        try db.execute("COMMIT")
        ownTickets.append(ticket)
        lock.withLock {
            writtenRows.merge(rows) { _, new in new }
            committed += 1
        }
    }
}

struct LoadClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
