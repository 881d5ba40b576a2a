import ArgumentParser
import PolicyGen
import Tenantwall

struct SpecOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A spec file or a directory of *.yaml files (repeatable).", valueName: "path"))
    var spec: [String] = []

    func validate() throws {
        if spec.isEmpty { throw ValidationError("give the spec with --spec PATH (a file or a directory such as policies/k8s-cost-monitor)") }
    }

    func load() throws -> Spec { try SpecFiles.load(spec) }
}
