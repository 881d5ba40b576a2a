import Foundation
import CLibPQ

/// One libpq connection.
///
/// Every libpq call goes through this class, which turns failures into `PostgresError` at once, so the rest of
/// tenantwall never sees a C pointer or a status code. Not thread-safe: use one connection per task.
public final class Connection {
    let handle: OpaquePointer
    /// NOTICE and WARNING messages the server sent, oldest first (libpq would otherwise print them to stderr).
    public private(set) var notices: [String] = []

    /// Opens a connection from a libpq connection string or URL; `nil` or empty defers to `DATABASE_URL`, then
    /// to libpq's `PG*` variables and `.pgpass`.
    public init(_ conninfo: String? = nil, environment: [String: String] = ProcessEnvironment.current) throws {
        let resolved = ConnectionString.resolve(conninfo, environment: environment)
        guard let conn = PQconnectdb(resolved) else { throw PostgresError.client("libpq could not allocate a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            // One line: libpq may report several (one per address tried).
            let message = String(cString: PQerrorMessage(conn)).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
            PQfinish(conn)
            let secrets = Redaction.secrets(conninfo: conninfo, environment: environment) + Redaction.secrets(in: resolved)
            throw PostgresError(sqlState: "08001", message: "could not connect: " + Redaction.scrub(message, secrets: secrets))
        }
        handle = conn
        PQsetNoticeProcessor(handle, { context, message in
            guard let context, let message else { return }
            let connection = Unmanaged<Connection>.fromOpaque(context).takeUnretainedValue()
            connection.notices.append(String(cString: message).trimmingTrailingNewlines())
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with `$1…$n` bind parameters (text format; `nil` is SQL NULL).
    ///
    /// Values never become part of the SQL text, so nothing a user supplies can change the statement.
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let result = withCStrings(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try consume(result, sql: sql)
    }

    /// Prepares a named statement once per connection, for repeated execution without re-parsing.
    public func prepare(_ name: String, _ sql: String) throws {
        _ = try consume(PQprepare(handle, name, sql, 0, nil), sql: sql)
    }

    /// Executes a prepared statement with text parameters.
    @discardableResult
    public func executePrepared(_ name: String, _ parameters: [String?]) throws -> QueryResult {
        let result = withCStrings(parameters) { values in
            PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
        }
        return try consume(result, sql: "EXECUTE \(name)")
    }

    /// Runs a script of one or more statements with no parameters (the simple query protocol), as a
    /// migration file or generated SQL needs. Returns the last statement's result.
    @discardableResult
    public func execute(_ script: String) throws -> QueryResult {
        try consume(PQexec(handle, script), sql: script)
    }

    /// Runs `COPY … TO STDOUT` and returns the data it sent, as text.
    public func copyOut(_ sql: String) throws -> String {
        guard let result = PQexec(handle, sql) else { throw PostgresError(message: "no result", query: sql) }
        let status = PQresultStatus(result)
        if status != PGRES_COPY_OUT {
            defer { PQclear(result) }
            throw Self.error(from: result, connection: handle, sql: sql)
        }
        PQclear(result)
        var data: [UInt8] = []
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let n = PQgetCopyData(handle, &buffer, 0)
            if n > 0, let buffer {
                data.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: Int(n)))
                PQfreemem(buffer)
            } else {
                break
            }
        }
        // The command's own result follows the data: an error here is an error of the COPY.
        var failure: PostgresError?
        while let next = PQgetResult(handle) {
            if PQresultStatus(next) == PGRES_FATAL_ERROR { failure = Self.error(from: next, connection: handle, sql: sql) }
            PQclear(next)
        }
        if let failure { throw failure }
        return String(decoding: data, as: UTF8.self)
    }

    /// Runs `body` inside BEGIN … COMMIT, rolling back when it throws.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside a transaction that is always rolled back: the way to look without touching.
    public func rolledBack<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        defer { _ = try? execute("ROLLBACK") }
        return try body()
    }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The backend process id, for tests that need to cancel or kill a session.
    public var backendPID: Int32 { PQbackendPID(handle) }

    public var isInTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    /// Clears the collected notices and returns them.
    public func takeNotices() -> [String] {
        defer { notices.removeAll() }
        return notices
    }

    func consume(_ result: OpaquePointer?, sql: String) throws -> QueryResult {
        guard let result else {
            throw PostgresError(message: String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines(), query: sql)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_OUT, PGRES_COPY_IN:
            return Self.rows(of: result)
        default:
            throw Self.error(from: result, connection: handle, sql: sql)
        }
    }

    static func rows(of result: OpaquePointer) -> QueryResult {
        let columnCount = Int(PQnfields(result)), rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append((0..<columnCount).map { column in
                PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? nil : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
            })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, rows: rows, affectedRows: affected)
    }

    static func error(from result: OpaquePointer, connection: OpaquePointer, sql: String) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let primary = field(TW_PG_DIAG_MESSAGE_PRIMARY)
            ?? String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines()
        return PostgresError(
            sqlState: field(TW_PG_DIAG_SQLSTATE), severity: field(TW_PG_DIAG_SEVERITY), message: primary,
            detail: field(TW_PG_DIAG_MESSAGE_DETAIL), hint: field(TW_PG_DIAG_MESSAGE_HINT),
            position: field(TW_PG_DIAG_STATEMENT_POSITION).flatMap { Int($0) },
            context: field(TW_PG_DIAG_CONTEXT), query: sql)
    }
}

/// Passes Swift strings to C as a `const char * const *` array that lives for the duration of `body`.
func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { pointers.forEach { free($0) } }
    return body(pointers.map { $0.map { UnsafePointer($0) } })
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
