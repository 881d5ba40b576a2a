import Foundation

/// A fixed number of threads working through a list: verify probes tables on several connections at once, and
/// the benchmark runs its clients side by side. Items are taken in order; the first error stops the workers
/// from taking more, and is thrown once all have stopped; results come back in the items' order.
public enum WorkerPool {
    /// `body(worker, item)` for every item, at most `workers` at a time (`worker` is 0 ..< workers, so a
    /// worker can keep state of its own, such as a connection); `done` runs under the pool's lock as each
    /// item finishes, in completion order.
    public static func map<Item, Result>(_ items: [Item], workers: Int, _ body: (Int, Item) throws -> Result,
                                  done: (_ finished: Int, Item, Result) -> Void = { _, _, _ in }) throws -> [Result] {
        let lock = NSLock()
        var results = [Result?](repeating: nil, count: items.count)
        var next = 0, finished = 0
        var failure: Error?
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, items.count))) { worker in
            while true {
                lock.lock()
                guard next < items.count, failure == nil else { lock.unlock(); return }
                let index = next
                next += 1
                lock.unlock()
                do {
                    let result = try body(worker, items[index])
                    lock.lock()
                    results[index] = result
                    finished += 1
                    done(finished, items[index], result)
                    lock.unlock()
                } catch {
                    lock.lock()
                    if failure == nil { failure = error }
                    lock.unlock()
                }
            }
        }
        if let failure { throw failure }
        return results.map { $0! }
    }
}
