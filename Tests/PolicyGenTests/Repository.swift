import Foundation

/// Paths inside the repository, found from this file's location (tests run from any directory).
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// `(path, text)` for every YAML file of one example model, paths relative to the repository.
    static func model(_ name: String) throws -> [(path: String, text: String)] {
        let folder = "policies/" + name
        return try FileManager.default.contentsOfDirectory(atPath: path(folder)).filter { $0.hasSuffix(".yaml") }.sorted().map {
            (folder + "/" + $0, try String(contentsOfFile: path(folder + "/" + $0), encoding: .utf8))
        }
    }

    static let models = ["analytics-warehouse", "clinic-portal", "k8s-cost-monitor", "support-desk", "workflow-platform", "workflow-platform-citus"]
}
