import Foundation

/// Z3 contexts kept between checks: making one costs about as much as a typical check. A context serves one
/// check at a time (taken out of the pool while in use), so threads never share one; it is retired after
/// `maximumUses` checks (its terms are only freed with it) or after an error.
final class Z3ContextPool: @unchecked Sendable {
    static let shared = Z3ContextPool()
    static let maximumUses = 500
    static let maximumIdle = 8

    private let lock = NSLock()
    private var idle: [Z3Context] = []

    func using<T>(_ body: (Z3Context) -> T) -> T {
        lock.lock()
        let context = idle.popLast() ?? Z3Context()
        lock.unlock()
        let result = body(context)
        context.reset()
        guard context.error == nil, context.uses < Self.maximumUses else { return result }
        lock.lock()
        if idle.count < Self.maximumIdle { idle.append(context) }
        lock.unlock()
        return result
    }
}
