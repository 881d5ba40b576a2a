/// A small, seeded generator so runs choose the same tenants and rows (and the spec fuzz test the same inputs).
public struct SplitMix {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    /// A number below `n` (0 when `n` is 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(Swift.max(n, 1))) }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
