import Crypto
import Foundation
import Migrations
import PolicyGen

/// One value that names a spec's content: SHA-256 over its files' bytes in load order, each preceded by its
/// length, so two specs that differ anywhere differ here and moving the folder changes nothing.
public enum SpecFingerprint {
    public static func of(_ spec: Spec) throws -> String {
        var hasher = SHA256()
        for path in spec.files {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            hasher.update(data: Data("\(data.count):".utf8))
            hasher.update(data: data)
        }
        return "sha256:" + Checksum.hex(Array(hasher.finalize()))
    }
}
