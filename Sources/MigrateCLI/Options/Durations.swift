import ArgumentParser
import Foundation
import Migrations

/// Durations as every command takes them (`500ms`, `10s`, `5min`, `1h`, PostgreSQL's timeout syntax): one
/// parser for lock waits, key overlaps and token lifetimes alike, checked in `validate()` so a typo is a usage
/// error before anything connects.
enum Durations {
    static func require(_ value: String, flag: String) throws {
        guard Directives.isDuration(value) else { throw ValidationError("\(flag) takes a duration such as 500ms, 10s, 5min or 1h, not '\(value)'") }
    }

    /// Seconds of a duration `require` accepted.
    static func seconds(_ duration: String) -> TimeInterval { Directives.seconds(duration) ?? 0 }
}
