import Foundation
import Postgres

/// Watches the locks of a database under load, for `LoadTests`, on a superuser connection of its own: every
/// `interval` it reads which client backends wait on a backend of a tool under test (`pg_blocking_pids`), and
/// which relation locks the tools' backends hold or await on the database's `public` tables and indexes.
///
/// Tools are told apart by `application_name`, which starts with `tw_load_` (`tw_load_verify`, `tw_load_bench`,
/// and the test's own `tw_load_control`, which takes a conflicting lock on purpose to show the sampler sees one).
/// What a tool may hold is what the clients' own statements take and so never conflicts with them (ACCESS SHARE,
/// ROW SHARE, ROW EXCLUSIVE); SHARE and above conflict with a client's INSERT or UPDATE, ACCESS EXCLUSIVE even
/// with its SELECT.
final class LockSampler: @unchecked Sendable {
    static let conflicting: Set = ["ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"]

    struct Findings {
        /// Per tool: the longest run of consecutive samples in which it blocked a client.
        var longestBlock: [String: Int] = [:]
        /// What a blocked client waited on, per tool (the first few).
        var blocks: [String: [String]] = [:]
        /// Per tool: relation locks of a conflicting mode it held or awaited (`mode relation state`).
        var conflictingLocks: [String: Set<String>] = [:]
        /// Per tool: samples in which it held a ROW EXCLUSIVE lock on a client table (it was writing there).
        var writing: [String: Int] = [:]
        var samples = 0
    }

    let conninfo: String
    let clients: [Int32]
    let interval: TimeInterval
    private let lock = NSLock()
    private var found = Findings()
    private var running: [String: Int] = [:]
    private var stopping = false
    private var failure: String?
    private let finished = DispatchSemaphore(value: 0)

    init(conninfo: String, clients: [Int32], interval: TimeInterval = 0.025) {
        self.conninfo = conninfo
        self.clients = clients
        self.interval = interval
    }

    var findings: Findings { lock.withLock { found } }
    /// Why sampling stopped early, if it did (a sampler that cannot read proves nothing).
    var error: String? { lock.withLock { failure } }

    func start() { Thread { self.loop() }.start() }

    func stop() {
        lock.withLock { stopping = true }
        finished.wait()
    }

    private func loop() {
        defer { finished.signal() }
        do {
            let db = try Connection(conninfo)
            let pids = "{" + clients.map(String.init).joined(separator: ",") + "}"
            while !lock.withLock({ stopping }) {
                try sample(db, pids)
                usleep(useconds_t(interval * 1_000_000))
            }
        } catch {
            lock.withLock { failure = "\(error)" }
        }
    }

    private static let waits = """
        SELECT b.application_name, w.pid::text, b.state, coalesce(w.wait_event_type, '') || ':' || coalesce(w.wait_event, ''),
               left(w.query, 60), left(b.query, 80)
        FROM pg_stat_activity AS w CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
        JOIN pg_stat_activity AS b ON b.pid = blocker.pid
        WHERE w.pid = ANY ($1::int[]) AND b.application_name LIKE 'tw\\_load\\_%'
        """
    private static let locks = """
        SELECT a.application_name, l.mode, c.relname, a.state, l.granted::text
        FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid JOIN pg_class AS c ON c.oid = l.relation
        WHERE a.application_name LIKE 'tw\\_load\\_%' AND l.locktype = 'relation'
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND c.relnamespace = 'public'::regnamespace
        """

    private func sample(_ db: Connection, _ pids: String) throws {
        let blocked = try db.query(Self.waits, [pids]).rows
        let held = try db.query(Self.locks).rows
        lock.withLock {
            found.samples += 1
            let blockers = Set(blocked.compactMap { $0[0] })
            for tool in blockers {
                running[tool, default: 0] += 1
                found.longestBlock[tool] = max(found.longestBlock[tool] ?? 0, running[tool] ?? 0)
            }
            for tool in running.keys where !blockers.contains(tool) { running[tool] = 0 }
            for row in blocked where (found.blocks[row[0] ?? ""]?.count ?? 0) < 5 {
                found.blocks[row[0] ?? "", default: []].append(row.dropFirst().map { $0 ?? "NULL" }.joined(separator: " | "))
            }
            for row in held {
                let tool = row[0] ?? "", mode = row[1] ?? ""
                if Self.conflicting.contains(mode) {
                    found.conflictingLocks[tool, default: []].insert("\(mode) \(row[2] ?? "") \(row[3] ?? "") granted=\(row[4] ?? "")")
                }
            }
            for tool in Set(held.filter { $0[1] == "RowExclusiveLock" }.compactMap { $0[0] }) { found.writing[tool, default: 0] += 1 }
        }
    }
}
