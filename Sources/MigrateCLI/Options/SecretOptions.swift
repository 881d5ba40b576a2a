import ArgumentParser
import Foundation
import Tenantwall

/// Where the signing secret comes from: an environment variable or a file, never the command line (which
/// other users can read in the process list) and never a migration file.
struct SecretOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read the signing secret from this environment variable.", valueName: "name"))
    var secretEnv: String?

    @Option(help: ArgumentHelp("Read the signing secret from this file (trailing newline ignored).", valueName: "path"))
    var secretFile: String?

    /// For commands that cannot run without a secret; called from their `validate()`.
    func require() throws {
        if secretEnv == nil && secretFile == nil { throw ValidationError("give the secret with --secret-env NAME or --secret-file PATH") }
    }

    /// The secret, or nil when neither option was given.
    func secret() throws -> [UInt8]? {
        if let secretEnv {
            guard let value = ProcessInfo.processInfo.environment[secretEnv], !value.isEmpty else { throw ToolError("environment variable \(secretEnv) is not set") }
            return Array(value.utf8)
        }
        if let secretFile {
            guard var text = try? String(contentsOfFile: secretFile, encoding: .utf8) else { throw ToolError("cannot read \(secretFile)") }
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return Array(text.utf8)
        }
        return nil
    }
}
