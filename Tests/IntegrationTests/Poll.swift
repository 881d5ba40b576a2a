import Foundation

/// Checks `condition` every `interval` seconds until it holds or `timeout` seconds have passed, and says whether
/// it held.
///
/// Tests wait for the thing they need (a lock taken, a worker connected, a signal handled) rather than for a
/// fixed time: a fixed sleep is too short on a loaded machine and wasted time on an idle one. The caller decides
/// what a timeout means, usually a failure:
///
///     XCTAssertTrue(try poll(timeout: 10) { try db.query(waiting).scalar != "0" }, "the runner waits on the lock")
///
/// - Parameters:
///   - timeout: how long to keep trying, in seconds; the condition is checked once more at the deadline.
///   - interval: the pause between checks, in seconds (50 ms by default).
func poll(timeout: TimeInterval, every interval: TimeInterval = 0.05, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try condition() { return true }
        guard Date() < deadline else { return false }
        usleep(useconds_t(interval * 1_000_000))
    }
}
