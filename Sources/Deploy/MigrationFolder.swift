import Foundation
import Migrations
import Tenantwall

/// Reads `migrations/` from disk: the I/O edge in front of `MigrationPlanner.files`.
public enum MigrationFolder {
    public static func read(_ path: String) throws -> [MigrationFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ToolError("migrations folder not found: \(path)")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return try MigrationPlanner.files(names.map { name in
            let data = FileManager.default.contents(atPath: (path as NSString).appendingPathComponent(name)) ?? Data()
            return (name, [UInt8](data))
        })
    }
}
