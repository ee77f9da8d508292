/// SHA3-256 (FIPS 202) and HMAC-SHA3-256 (FIPS 198-1), for 2Checkout's `SIGNATURE_SHA3_256`
/// (PAYMENTS.md 3.1).
///
/// swift-crypto 3.12.3 exposes no SHA-3 (BoringSSL's Keccak is internal to it), so this is a
/// small, portable Keccak-f[1600]. It is pinned to the standard SHA3-256 vectors and to the
/// KAT-T1 HMAC-SHA3-256 value in the tests. Nothing here is secret-dependent in its timing
/// beyond what any HMAC is.
///
/// For example:
///
/// ```swift
/// PaymentCrypto.hex(Keccak.sha3_256(Array("".utf8)))
/// // "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
/// ```
public enum Keccak {
    /// SHA3-256's rate in bytes (1600 − 2·256 bits); also its HMAC block size.
    public static let sha3_256BlockByteCount = 136

    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// ρ rotation offsets, in the order the π step visits the lanes.
    private static let rotations: [UInt64] = [
        1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
    ]

    /// π lane order, starting from lane 1.
    private static let piLanes: [Int] = [
        10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
    ]

    @inline(__always)
    private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &<< n) | (x &>> (64 &- n))
    }

    /// Keccak-f[1600] on 25 little-endian lanes.
    static func permute(_ state: inout [UInt64]) {
        precondition(state.count == 25)
        state.withUnsafeMutableBufferPointer { st in
            var bc = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            for round in 0..<24 {
                // θ
                bc.0 = st[0] ^ st[5] ^ st[10] ^ st[15] ^ st[20]
                bc.1 = st[1] ^ st[6] ^ st[11] ^ st[16] ^ st[21]
                bc.2 = st[2] ^ st[7] ^ st[12] ^ st[17] ^ st[22]
                bc.3 = st[3] ^ st[8] ^ st[13] ^ st[18] ^ st[23]
                bc.4 = st[4] ^ st[9] ^ st[14] ^ st[19] ^ st[24]
                let d0 = bc.4 ^ rotl(bc.1, 1)
                let d1 = bc.0 ^ rotl(bc.2, 1)
                let d2 = bc.1 ^ rotl(bc.3, 1)
                let d3 = bc.2 ^ rotl(bc.4, 1)
                let d4 = bc.3 ^ rotl(bc.0, 1)
                for j in stride(from: 0, to: 25, by: 5) {
                    st[j] ^= d0
                    st[j + 1] ^= d1
                    st[j + 2] ^= d2
                    st[j + 3] ^= d3
                    st[j + 4] ^= d4
                }
                // ρ and π
                var carried = st[1]
                for i in 0..<24 {
                    let lane = piLanes[i]
                    let next = st[lane]
                    st[lane] = rotl(carried, rotations[i])
                    carried = next
                }
                // χ
                for j in stride(from: 0, to: 25, by: 5) {
                    let a0 = st[j], a1 = st[j + 1], a2 = st[j + 2], a3 = st[j + 3], a4 = st[j + 4]
                    st[j] = a0 ^ (~a1 & a2)
                    st[j + 1] = a1 ^ (~a2 & a3)
                    st[j + 2] = a2 ^ (~a3 & a4)
                    st[j + 3] = a3 ^ (~a4 & a0)
                    st[j + 4] = a4 ^ (~a0 & a1)
                }
                // ι
                st[0] ^= roundConstants[round]
            }
        }
    }

    /// SHA3-256 of `message`: 32 bytes.
    public static func sha3_256(_ message: some Sequence<UInt8>) -> [UInt8] {
        let rate = sha3_256BlockByteCount
        var state = [UInt64](repeating: 0, count: 25)
        var block = [UInt8]()
        block.reserveCapacity(rate)

        func absorb(_ block: [UInt8]) {
            for lane in 0..<(rate / 8) {
                var word: UInt64 = 0
                for k in 0..<8 {
                    word |= UInt64(block[lane * 8 + k]) << (8 * UInt64(k))
                }
                state[lane] ^= word
            }
            permute(&state)
        }

        for byte in message {
            block.append(byte)
            if block.count == rate {
                absorb(block)
                block.removeAll(keepingCapacity: true)
            }
        }
        // SHA-3 domain separation (01) plus pad10*1.
        block.append(0x06)
        while block.count < rate { block.append(0) }
        block[rate - 1] |= 0x80
        absorb(block)

        var digest = [UInt8]()
        digest.reserveCapacity(32)
        for lane in 0..<4 {
            for k in 0..<8 {
                digest.append(UInt8(truncatingIfNeeded: state[lane] >> (8 * UInt64(k))))
            }
        }
        return digest
    }

    /// HMAC-SHA3-256 of `message` under `key`: 32 bytes. Keys longer than the 136-byte block are hashed first.
    public static func hmacSHA3_256(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        let blockSize = sha3_256BlockByteCount
        var keyBlock = Array(key)
        if keyBlock.count > blockSize { keyBlock = sha3_256(keyBlock) }
        keyBlock += [UInt8](repeating: 0, count: blockSize - keyBlock.count)
        let inner = sha3_256(keyBlock.map { $0 ^ 0x36 } + Array(message))
        return sha3_256(keyBlock.map { $0 ^ 0x5c } + inner)
    }
}
