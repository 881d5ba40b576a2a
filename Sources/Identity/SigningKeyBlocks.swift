import Crypto
import Migrations

/// HMAC-SHA256's two key blocks for one secret (RFC 2104): the key (hashed first when it is longer than
/// SHA-256's 64-byte block), zero-padded to 64 bytes, XOR 0x36 for the inner block and 0x5c for the outer.
///
/// The keys table stores these blocks instead of the secret, because the database then needs no HMAC of its
/// own: the extension's `verify_token` (PostgreSQL's `cryptohash`, in C) and the inline plpgsql verifier
/// (`sha256()`) compute SHA-256(outer ‖ SHA-256(inner ‖ message)), which is HMAC<SHA256> of the message.
/// Only the padding is written here; the hash of a long key is swift-crypto's, and the tests check on
/// RFC 4231's vectors that the two forms give the same MAC as swift-crypto's `HMAC<SHA256>`.
public struct SigningKeyBlocks: Sendable {
    public let inner: [UInt8]
    public let outer: [UInt8]

    public init(secret: [UInt8]) {
        let blockSize = SHA256.blockByteCount
        var key = secret.count > blockSize ? Array(SHA256.hash(data: secret)) : secret
        key += [UInt8](repeating: 0, count: blockSize - key.count)
        inner = key.map { $0 ^ 0x36 }
        outer = key.map { $0 ^ 0x5c }
    }

    /// PostgreSQL's hex input for a bytea (`\x…`), how the blocks are written to the keys table.
    public static func byteaHex(_ bytes: [UInt8]) -> String { "\\x" + Checksum.hex(bytes) }
}
