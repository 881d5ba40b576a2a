import ArgumentParser
import PolicyGen
import Tenantwall

/// `--spec`: the spec files or folders a command reads.
struct SpecOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A spec file or a directory of *.yaml files (repeatable).", valueName: "path"))
    var spec: [String] = []

    /// Called from the `validate()` of every command that reads a spec (not here: `verify --list-checks` needs
    /// none), so that a missing `--spec` is a usage error printed with the usage, before any connection.
    func require() throws {
        if spec.isEmpty { throw ValidationError("give the spec with --spec PATH (a file or a directory such as policies/k8s-cost-monitor)") }
    }

    func load() throws -> Spec {
        try require()
        return try SpecFiles.load(spec)
    }
}
