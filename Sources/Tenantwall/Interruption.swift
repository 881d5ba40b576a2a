import Dispatch
import Foundation

/// Cleanup that must run even when the user presses Ctrl-C or a CI job is cancelled (SIGINT, SIGTERM): the
/// benchmark's scratch database and roles, which would otherwise be left on the user's server.
///
/// The handler runs on a background queue while the main thread may be blocked inside libpq, so a cleanup
/// must open its own connection rather than use one the main thread holds.
public enum Interruption {
    private static let lock = NSLock()
    private static var cleanups: [Int: () -> Void] = [:]
    private static var next = 0
    private static var sources: [DispatchSourceSignal] = []
    private static var interrupted = false

    /// Blocks for good when an interruption is being handled (its handler exits the process), so the main
    /// thread does not report the errors the cleanup itself causes, or exit first with another status.
    public static func waitIfInterrupted() {
        lock.lock()
        let waiting = interrupted
        lock.unlock()
        if waiting { while true { pause() } }
    }

    /// Registers `cleanup` until `remove` is called with the returned token.
    public static func onInterrupt(_ cleanup: @escaping () -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        if sources.isEmpty { install() }
        next += 1
        cleanups[next] = cleanup
        return next
    }

    public static func remove(_ token: Int) {
        lock.lock()
        cleanups[token] = nil
        lock.unlock()
    }

    private static func install() {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                lock.lock()
                interrupted = true
                // Last registered first: the scratch database goes before the server it lives on.
                let pending = cleanups.sorted { $0.key > $1.key }.map(\.value)
                cleanups.removeAll()
                lock.unlock()
                FileHandle.standardError.write(Data("\ninterrupted: cleaning up …\n".utf8))
                pending.forEach { $0() }
                exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
    }
}
