import Foundation
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// Writes and retires the signing keys of the `signed` binding. The secret itself is never stored: only
/// HMAC's key blocks (`SigningKeyBlocks`), in a table the application roles cannot read.
public enum SigningKeys {
    /// Adds a key and retires the others after `overlap` seconds, so tokens signed with them keep working
    /// until then. Returns the new key's id.
    @discardableResult
    public static func rotate(_ connection: Connection, spec: Spec, secret: [UInt8], id: String? = nil, overlap: TimeInterval) throws -> String {
        guard secret.count >= 32 else { throw ToolError("the secret must be at least 32 bytes for HS256") }
        let keys = SQL.qualified(spec.tenancy.helperSchema, "signing_keys")
        let blocks = SigningKeyBlocks(secret: secret)
        let name = id ?? "key-" + ISO8601DateFormatter().string(from: Date())
        try connection.transaction {
            try connection.query("UPDATE \(keys) SET retired_at = now() + make_interval(secs => $1) WHERE retired_at IS NULL OR retired_at > now() + make_interval(secs => $1)",
                                 [String(overlap)])
            try connection.query("INSERT INTO \(keys) (id, inner_key, outer_key) VALUES ($1, $2::bytea, $3::bytea)", [name, SigningKeyBlocks.byteaHex(blocks.inner), SigningKeyBlocks.byteaHex(blocks.outer)])
        }
        return name
    }
}
