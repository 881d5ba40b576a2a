import Crypto

/// A migration file's checksum: SHA-256 of its bytes as 64 lowercase hex digits, the form the history table
/// has always stored. The hash is swift-crypto's, not one written here; the digits are the same as before the
/// switch, so a history applied by an older tenantwall still matches (Tests/Fixtures/legacy-checksums).
public enum Checksum {
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex, two digits a byte.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
