import SQLParser

/// Problems with the migration files themselves, found before anything touches the database.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badName(String)
    case notText(String)
    case duplicateVersion(String, String)
    case badDirective(file: String, line: Int, String)
    case syntax(file: String, SQLParser.SyntaxError)
    case transactionControl(file: String, line: Int)
    case needsNoTransaction(file: String, line: Int, String)

    public var description: String {
        switch self {
        case .badName(let name):
            return "\(name): not a migration file name (expected V<version>__<description>.sql or R__<description>.sql)"
        case .notText(let name): return "\(name): not UTF-8 text"
        case .duplicateVersion(let a, let b): return "\(a) and \(b) have the same version"
        case let .badDirective(file, line, text):
            return "\(file):\(line): unknown directive 'tenantwall:\(text)' (known: no-transaction, lock-timeout=DURATION, statement-timeout=DURATION)"
        case let .syntax(file, error): return "\(file):\(error.line):\(error.column): \(error.message)"
        case let .transactionControl(file, line):
            return "\(file):\(line): BEGIN/COMMIT/ROLLBACK in a migration: tenantwall runs each file in its own transaction (use -- tenantwall:no-transaction to opt out)"
        case let .needsNoTransaction(file, line, what):
            return "\(file):\(line): \(what) cannot run inside a transaction: add the line -- tenantwall:no-transaction to the file"
        }
    }

    public static func == (a: MigrationError, b: MigrationError) -> Bool { a.description == b.description }
}
