import ArgumentParser
import Reporting

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--format text|json`, shared by every command whose result is a value (migrate, status, baseline, repair,
/// init, tenant, verify, version). JSON goes through the one writer (`JSONWriter`), so every command's JSON is
/// escaped, indented and key-sorted alike. `audit` has more formats and keeps its own `--format`.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output on stdout: text for people, json for machines.")
    var format: OutputFormat = .text

    var json: Bool { format == .json }

    /// Prints `value` as JSON on stdout.
    func print<T: Encodable>(_ value: T, keys: JSONWriter.Keys = .asDeclared) throws {
        Swift.print(try JSONWriter.render(value, keys: keys), terminator: "")
    }
}
