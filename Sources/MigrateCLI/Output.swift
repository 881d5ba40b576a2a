import Foundation
import Postgres

/// Where a command's words go besides its result on stdout: errors and progress on stderr.
enum Output {
    /// Every error line: anything shaped like a password masked (libpq errors can quote a connection string),
    /// and no doubled severity ("error: ERROR: …").
    static func error(_ text: String) {
        var line = Redaction.scrub(text)
        if line.hasPrefix("error: ERROR: ") { line = "error: " + line.dropFirst("error: ERROR: ".count) }
        FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
    }

    /// What the user must hear even in a pipeline (verify removed what a killed run left): always on stderr.
    static func notice(_ text: String) { error(text) }

    /// Progress lines go to stderr, and only on a terminal: pipelines get quiet, parseable stdout.
    static func progress(_ text: String) {
        if isatty(STDERR_FILENO) == 1 { error(text) }
    }
}
