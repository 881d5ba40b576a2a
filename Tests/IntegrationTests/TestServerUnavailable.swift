import Foundation

extension TestServer {
    /// Why the tests' PostgreSQL server could not start, said the same way by every test that needed it:
    /// which binaries were tried and what went wrong.
    struct Unavailable: Error, CustomStringConvertible {
        var reason: String

        init(_ error: Error) { reason = "\(error)" }

        /// The binaries come from `PG_BINDIR` when set (scripts/test.sh sets it per version), else from
        /// `pg_config --bindir`.
        static var binaries: String {
            let bin = ProcessInfo.processInfo.environment["PG_BINDIR"] ?? ""
            return bin.isEmpty ? "(PG_BINDIR unset: pg_config --bindir)" : "PG_BINDIR=\(bin)"
        }

        var description: String {
            "PostgreSQL server at \(Self.binaries) could not start: \(reason) "
                + "(install postgresql-15 or run scripts/setup.sh; integration tests fail, rather than skip, without one)"
        }
    }
}
