import Foundation
import Testing

@testable import RecurPayments

@Suite("Shared crypto, SHA3-256 and time helpers")
struct PaymentCryptoTests {
    private func sha3Hex(_ text: String) -> String {
        PaymentCrypto.hex(Keccak.sha3_256(Array(text.utf8)))
    }

    @Test("sha3: FIPS 202 SHA3-256 of the empty string")
    func sha3Empty() {
        #expect(sha3Hex("") == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
    }

    @Test("sha3: NIST vectors abc, 448-bit and 896-bit messages")
    func sha3NIST() {
        #expect(sha3Hex("abc") == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        #expect(
            sha3Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "41c0dba2a9d6240849100376a8235e2c82e1b9998a999e21db32dd97496d3376")
        #expect(
            sha3Hex(
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            ) == "916f6061fe879741ca6469b43971dfdb28b1a32dc36cb3254e812be27aad1d18")
    }

    @Test("sha3: one million 'a' (7,353 permutations)")
    func sha3Million() {
        #expect(
            PaymentCrypto.hex(Keccak.sha3_256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1")
    }

    @Test("sha3: padding at the 136-byte rate boundary (135, 136, 137, 200 bytes)")
    func sha3RateBoundary() {
        #expect(sha3Hex(String(repeating: "x", count: 135)) == "c150125edc74b56fb5cbfdd024fabe20ea5a99bd3c97305bbf7cb55885c106fe")
        #expect(sha3Hex(String(repeating: "x", count: 136)) == "5bc276bac9c582508b8fa9b3949e7ed9b6e584ee4d2925b29a426b9931ba1486")
        #expect(sha3Hex(String(repeating: "x", count: 137)) == "2f25a6351abe05e289a0a3e65fef42db7d5fc314936bdee4f6d54d04fb20a609")
        #expect(sha3Hex(String(repeating: "x", count: 200)) == "9dcc53f665ce704a221fcd3e25e53e88b5a41e8ab3deeeab8a5f2602e0316896")
    }

    @Test("hmac-sha3: empty key and a key longer than the block (Python hmac/sha3_256)")
    func hmacSHA3Keys() {
        #expect(
            PaymentHMAC.sha3_256.hex(key: "", message: "")
                == "e841c164e5b4f10c9f3985587962af72fd607a951196fc92fb3a5251941784ea")
        #expect(
            PaymentHMAC.sha3_256.hex(key: String(repeating: "k", count: 200), message: "message")
                == "6e52f6eec362bb1d2864c87c2a81fe6f65e71cc1008b197c5fffa8043fcab284")
    }

    @Test("hmac: KAT-T1 string under MD5, SHA-256 and SHA3-256")
    func hmacKATT1() {
        let message = "1116Software program14200503031234341420050303123434"
        #expect(PaymentHMAC.md5.hex(key: "AABBCCDDEEFF", message: message) == "7bf97ed39681027d0c45aa45e3ea98f0")
        #expect(
            PaymentHMAC.sha256.hex(key: "AABBCCDDEEFF", message: message)
                == "ea6f44c39b3d204b59500998fcb9221c92744d9721a94b45fc6d5cda99980176")
        #expect(
            PaymentHMAC.sha3_256.hex(key: "AABBCCDDEEFF", message: message)
                == "85180497aaaa4844a278b52b1ce257d2820dbf5857470a5f678fef2266d0d4a8")
    }

    @Test("hex: round trip, either case in, lower case out, odd or non-hex rejected")
    func hexHelpers() {
        #expect(PaymentCrypto.hex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(PaymentCrypto.bytes(fromHex: "000FA0ff") == [0x00, 0x0f, 0xa0, 0xff])
        #expect(PaymentCrypto.bytes(fromHex: "abc") == nil)
        #expect(PaymentCrypto.bytes(fromHex: "zz") == nil)
    }

    @Test("compare: constant-time equality and case-insensitive hex signatures")
    func compare() {
        #expect(PaymentCrypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!PaymentCrypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!PaymentCrypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(PaymentCrypto.hexSignatureMatches(expected: "00ab", received: "00AB"))
        #expect(!PaymentCrypto.hexSignatureMatches(expected: "00ab", received: "00ac"))
        #expect(!PaymentCrypto.hexSignatureMatches(expected: "00ab", received: ""))
    }

    @Test("time: GMT+7 yyyyMMddHHmmss, across midnight and a leap day, and back")
    func compactTimestamp() {
        let gmt7 = CompactTimestamp.gmtPlus7
        #expect(CompactTimestamp.format(Date(timeIntervalSince1970: 1_627_806_813), utcOffsetSeconds: gmt7) == "20210801153333")
        #expect(CompactTimestamp.format(Date(timeIntervalSince1970: 1_704_043_800), utcOffsetSeconds: gmt7) == "20240101003000")
        #expect(CompactTimestamp.format(Date(timeIntervalSince1970: 1_709_164_800.9), utcOffsetSeconds: 0) == "20240229000000")
        #expect(CompactTimestamp.parse("20240521091806", utcOffsetSeconds: gmt7) == Date(timeIntervalSince1970: 1_716_257_886))
        #expect(CompactTimestamp.parse("19691231235959", utcOffsetSeconds: 0) == Date(timeIntervalSince1970: -1))
        #expect(CompactTimestamp.format(Date(timeIntervalSince1970: -1), utcOffsetSeconds: 0) == "19691231235959")
    }

    @Test("time: impossible dates and wrong shapes do not parse")
    func compactTimestampInvalid() {
        #expect(CompactTimestamp.parse("20230229000000", utcOffsetSeconds: 0) == nil)
        #expect(CompactTimestamp.parse("20241301000000", utcOffsetSeconds: 0) == nil)
        #expect(CompactTimestamp.parse("20240101240000", utcOffsetSeconds: 0) == nil)
        #expect(CompactTimestamp.parse("2024010100000", utcOffsetSeconds: 0) == nil)
        #expect(CompactTimestamp.parse("2024-01-01 000", utcOffsetSeconds: 0) == nil)
    }

    @Test("error: description lists code, message and sorted values")
    func errorDescription() {
        let error = PaymentProtocolError(code: "amount.mismatch", message: "paid 5, due 6", values: ["paid": "5", "due": "6"])
        #expect(error.description == "amount.mismatch: paid 5, due 6 [due=6, paid=5]")
    }
}
