import Yams

/// Turns spec files into a `Spec`: parses YAML, reads every section with locations, merges the files, then
/// runs `SpecValidator`. Pure: it takes file names and text, and returns a spec or every error found.
///
/// Which keys each section takes and how they are read is the section's own (`Sections/`); this file only
/// walks the files and the top-level keys.
///
///     let spec = try SpecLoader.load([("policies/app.yaml", text)])
public enum SpecLoader {
    public static func load(_ files: [(path: String, text: String)]) throws -> Spec {
        var (parts, diagnostics, unparsed) = read(files)
        let firstFile = files.first?.path ?? "spec"
        let start = SourceLocation(file: firstFile, line: 1, column: 1)
        if parts.roles == nil && !unparsed { diagnostics.append(Diagnostic(.error, "the spec has no 'roles' section (owner and app are required)", at: start)) }
        if parts.tables.isEmpty && !unparsed && diagnostics.isEmpty { diagnostics.append(Diagnostic(.error, "the spec declares no tables", at: start)) }

        let roles = parts.roles ?? Roles()
        let spec = Spec(tenancy: parts.tenancy ?? Tenancy(), roles: roles,
                        tables: parts.tables.map { DefaultGrants.apply(to: $0, roles: roles) }, legacyFunctions: parts.legacyFunctions,
                        rollups: parts.rollups, auditTrail: parts.auditTrail, files: files.map(\.path))
        // Semantic checks run on whatever could be read, so one run reports structural and semantic errors together.
        if !unparsed && parts.roles != nil { diagnostics += SpecValidator.validate(spec) }
        guard !diagnostics.contains(where: { $0.severity == .error }) else {
            let sources = Dictionary(files.map { ($0.path, $0.text) }, uniquingKeysWith: { a, _ in a })
            throw SpecErrors(diagnostics: diagnostics.sorted { ($0.location ?? start) < ($1.location ?? start) }, sources: sources)
        }
        return spec
    }

    /// Every file's sections, and the problems found reading them; `unparsed` when a file was refused before
    /// its YAML was composed (or could not be), so that what is missing is not reported as well.
    static func read(_ files: [(path: String, text: String)]) -> (parts: Spec.Parts, diagnostics: [Diagnostic], unparsed: Bool) {
        var parts = Spec.Parts()
        var diagnostics: [Diagnostic] = []
        var firstSection: [String: SourceLocation] = [:]
        var unparsed = false
        for file in files {
            if let problem = YAMLGuard.problem(in: file.text) {
                diagnostics.append(Diagnostic(.error, problem.message, at: SourceLocation(file: file.path, line: problem.line, column: problem.column)))
                unparsed = true
                continue
            }
            let root: Node?
            do {
                root = try Yams.compose(yaml: file.text)
            } catch {
                diagnostics.append(yamlDiagnostic(error, file: file.path))
                unparsed = true
                continue
            }
            guard let root else { continue }
            var reader = NodeReader(file: file.path)
            for entry in reader.entries(root, keys: Spec.keys, what: "the spec") ?? [] {
                if Spec.singleSections.contains(entry.key), let earlier = firstSection[entry.key] {
                    reader.error("'\(entry.key)' is already given at \(earlier.file):\(earlier.line); a model has one", entry.keyNode)
                    continue
                }
                firstSection[entry.key] = firstSection[entry.key] ?? reader.location(entry.keyNode)
                reader.read([entry], into: &parts, keys: Spec.keys)
            }
            diagnostics += reader.diagnostics
        }
        return (parts, diagnostics, unparsed)
    }

    static func yamlDiagnostic(_ error: Error, file: String) -> Diagnostic {
        if let yaml = error as? YamlError {
            switch yaml {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
                let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                return Diagnostic(.error, "invalid YAML: \(text)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
            case let .duplicatedKeysInMapping(duplicates, context):
                return Diagnostic(.error, "duplicate keys \(duplicates.joined(separator: ", "))",
                                  at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
            default: break
            }
        }
        return Diagnostic(.error, "invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
    }
}
