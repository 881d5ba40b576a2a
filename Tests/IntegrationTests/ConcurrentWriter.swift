import Foundation
import Postgres

/// A second session that writes to `public.invoices` in a loop on a background thread, as the application
/// would during a migration: an INSERT that does not name the tenant column, then an UPDATE of a random row,
/// each timed. `stop()` returns how many statements ran, the longest, and every failure.
final class ConcurrentWriter {
    struct Result { var statements: Int; var longestSeconds: Double; var failures: [String] }

    private let connection: Connection
    private let lock = NSLock()
    private var running = true
    private var result = Result(statements: 0, longestSeconds: 0, failures: [])
    private let done = DispatchSemaphore(value: 0)

    init(url: String) throws { connection = try Connection(url) }

    func start() {
        Thread.detachNewThread { [self] in
            var i = 0
            while lock.withLock({ running }) {
                i += 1
                let statement = i % 2 == 0
                    ? "INSERT INTO public.invoices (amount, note) VALUES (\(i), 'written during the migration')"
                    : "UPDATE public.invoices SET updated_at = now(), amount = amount + 1 WHERE id = \(1 + (i * 7919) % 50_000)"
                let began = Date()
                var failure: String?
                do { try connection.execute(statement) } catch { failure = "\(error)" }
                let seconds = Date().timeIntervalSince(began)
                lock.withLock {
                    result.statements += 1
                    result.longestSeconds = max(result.longestSeconds, seconds)
                    if let failure { result.failures.append(failure) }
                }
            }
            done.signal()
        }
    }

    func stop() -> Result {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { result }
    }
}
