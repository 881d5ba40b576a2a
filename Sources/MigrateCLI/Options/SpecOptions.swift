import ArgumentParser
import PolicyGen
import Tenantwall

struct SpecOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A spec file or a directory of *.yaml files (repeatable).", valueName: "path"))
    var spec: [String] = []

    /// Required by every command that reads a spec, checked when it is read (so that `verify --list-checks`
    /// needs none).
    func paths() throws -> [String] {
        if spec.isEmpty { throw ValidationError("give the spec with --spec PATH (a file or a directory such as policies/k8s-cost-monitor)") }
        return spec
    }

    func load() throws -> Spec { try SpecFiles.load(try paths()) }
}
