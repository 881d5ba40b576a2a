import Foundation
import PolicyGen

/// Reads spec files from disk: a file, or every `*.yaml`/`*.yml` in a directory (sorted, so the model
/// is the same on every machine). The I/O edge in front of the pure `SpecLoader`.
public enum SpecFiles {
    public static func read(_ paths: [String]) throws -> [(path: String, text: String)] {
        var files: [(String, String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ToolError("spec not found: \(path)")
            }
            let names: [String]
            if isDirectory.boolValue {
                names = try FileManager.default.contentsOfDirectory(atPath: path)
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                if names.isEmpty { throw ToolError("no *.yaml files in \(path)") }
            } else {
                names = [path]
            }
            for name in names {
                guard let data = FileManager.default.contents(atPath: name) else { throw ToolError("cannot read \(name)") }
                guard let text = String(data: data, encoding: .utf8) else { throw ToolError("\(name) is not UTF-8 text") }
                files.append((name, text))
            }
        }
        return files
    }

    /// Reads and loads a spec; throws `SpecErrors` with every problem found.
    public static func load(_ paths: [String]) throws -> Spec {
        try SpecLoader.load(read(paths))
    }
}

/// A failure of the tool itself (bad path, unreadable file): exit code 2.
public struct ToolError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
