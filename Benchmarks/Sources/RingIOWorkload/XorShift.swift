/// xorshift64* (Vigna): a few shifts and one multiply per value, no state beyond one word and no
/// allocation, so it can sit in a hot loop that is measured for mallocs. Not for cryptography.
public struct XorShift64Star: Sendable {
    @usableFromInline
    var state: UInt64

    /// `seed` may be any value; zero is remapped because xorshift never leaves the zero state.
    @inlinable
    public init(seed: UInt64) {
        // splitmix64 finaliser, so nearby seeds (worker 0, 1, 2...) give unrelated streams.
        var z = seed &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        state = z == 0 ? 0x2545_F491_4F6C_DD1D : z
    }

    @inlinable
    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
