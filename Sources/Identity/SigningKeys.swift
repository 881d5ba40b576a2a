import Foundation
import Migrations
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

    /// Adds a random key of the caller's own inside the caller's transaction, which must be rolled back: a
    /// tool that acts as a tenant (export) signs its token with it and needs no deployed secret. Returns the
    /// secret.
    public static func addTransient(_ connection: Connection, spec: Spec, purpose: String) throws -> [UInt8] {
        guard connection.isInTransaction else { throw ToolError("a transient signing key is added only inside a transaction that is rolled back") }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let blocks = SigningKeyBlocks(secret: secret)
        let id = "tenantwall-\(purpose)-" + Checksum.hex(Array(secret.prefix(4)))
        try connection.query("INSERT INTO \(SQL.qualified(spec.tenancy.helperSchema, "signing_keys")) (id, inner_key, outer_key) VALUES ($1, $2::bytea, $3::bytea)",
                             [id, SigningKeyBlocks.byteaHex(blocks.inner), SigningKeyBlocks.byteaHex(blocks.outer)])
        return secret
    }
}
