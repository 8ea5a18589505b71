// The GF(2^128) polynomial hash and verification, against an independent shift-and-add field
// arithmetic written here.
#include "protocol/postprocessing/poly_hash.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "protocol/postprocessing/verification.hpp"
#include "protocol/wire/codec.hpp"

namespace tfqkd::pp {
namespace {

// a * x: shift up one place; a carry out of x^127 is x^128 = x^7 + x^2 + x + 1.
Gf128 times_x(Gf128 a) {
    const std::uint64_t carry = a.high >> 63;
    a.high = (a.high << 1) | (a.low >> 63);
    a.low <<= 1;
    if (carry != 0) a.low ^= 0x87;
    return a;
}

// Schoolbook: the sum of a x^i over the bits i of b.
Gf128 reference_multiply(Gf128 a, Gf128 b) {
    Gf128 r;
    for (unsigned i = 0; i < 128; ++i) {
        const bool bit = i < 64 ? ((b.low >> i) & 1U) != 0 : ((b.high >> (i - 64)) & 1U) != 0;
        if (bit) {
            r.low ^= a.low;
            r.high ^= a.high;
        }
        a = times_x(a);
    }
    return r;
}

Gf128 random_element(CounterRng& rng) { return {rng.next(), rng.next()}; }

// The hash by its definition: Horner over 16-byte little-endian blocks, then the length block.
PolyHashValue reference_hash(const PolyHashKey& key_bytes, ByteSpan data, std::uint64_t bits) {
    const Gf128 key = gf128_from_bytes(key_bytes);
    Gf128 acc;
    for (std::size_t offset = 0; offset < data.size(); offset += 16) {
        Byte block[16] = {};
        for (std::size_t i = 0; i < 16 && offset + i < data.size(); ++i) block[i] = data[offset + i];
        std::uint64_t low = 0, high = 0;
        for (unsigned i = 0; i < 8; ++i) {
            low |= std::uint64_t{block[i]} << (8 * i);
            high |= std::uint64_t{block[8 + i]} << (8 * i);
        }
        acc = reference_multiply({acc.low ^ low, acc.high ^ high}, key);
    }
    return gf128_to_bytes(reference_multiply({acc.low ^ bits, acc.high}, key));
}

std::vector<HashPath> supported_paths() {
    std::vector<HashPath> paths{HashPath::portable};
    if (hash_path_supported(HashPath::pclmul)) paths.push_back(HashPath::pclmul);
    return paths;
}

Bytes random_bytes(std::size_t size, CounterRng& rng) {
    Bytes b(size);
    for (Byte& x : b) x = static_cast<Byte>(rng.next());
    return b;
}

PolyHashKey key_of(Gf128 k) { return gf128_to_bytes(k); }

TEST(Gf128, MultiplyMatchesShiftAndAdd) {
    CounterRng rng(1);
    for (int i = 0; i < 2000; ++i) {
        const Gf128 a = random_element(rng);
        const Gf128 b = random_element(rng);
        ASSERT_EQ(gf128_multiply(a, b), reference_multiply(a, b)) << i;
    }
    // x^127 * x = x^128 = x^7 + x^2 + x + 1.
    EXPECT_EQ(gf128_multiply({0, std::uint64_t{1} << 63}, {2, 0}), (Gf128{0x87, 0}));
    // One is the identity.
    const Gf128 a = random_element(rng);
    EXPECT_EQ(gf128_multiply(a, {1, 0}), a);
}

TEST(PolyHash, KeyOneIsTheXorOfTheBlocksAndTheLength) {
    const Bytes message = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
                           0x0E, 0x0F, 0x10, 0xF0, 0x0F};
    // Blocks: bytes 0..15, then F0 0F padded; length 144 = 0x90 in the low byte.
    PolyHashValue expected{};
    for (std::size_t i = 0; i < 16; ++i) expected[i] = message[i];
    expected[0] ^= 0xF0;
    expected[1] ^= 0x0F;
    expected[0] ^= 0x90;
    for (HashPath path : supported_paths())
        EXPECT_EQ(poly_hash_128(key_of({1, 0}), message, 144, path), expected);
}

TEST(PolyHash, EqualsTheDefinitionOnEveryPathAndLength) {
    CounterRng rng(2);
    for (std::size_t size = 0; size <= 200; ++size) {
        const Bytes message = random_bytes(size, rng);
        const PolyHashKey key = key_of(random_element(rng));
        const std::uint64_t bits = 8 * size;
        const PolyHashValue expected = reference_hash(key, message, bits);
        for (HashPath path : supported_paths()) ASSERT_EQ(poly_hash_128(key, message, bits, path), expected) << size;
    }
    // A long message through the four-block loop.
    const Bytes long_message = random_bytes(100'003, rng);
    const PolyHashKey key = key_of(random_element(rng));
    const PolyHashValue expected = reference_hash(key, long_message, 8 * long_message.size());
    for (HashPath path : supported_paths())
        EXPECT_EQ(poly_hash_128(key, long_message, 8 * long_message.size(), path), expected);
}

// For M = (a, b) and M' = (a + 1, b + delta) of the same length, h(M) - h(M') = k^3 + delta k^2 =
// k^2 (k + delta): the two collide exactly at the roots k = 0 and k = delta, the d + 1 = 3 roots the
// bound counts (0 twice). The collision set is what the bound says it is.
TEST(PolyHash, ChosenPairsCollideExactlyAtTheRootsOfTheirDifference) {
    CounterRng rng(3);
    for (int trial = 0; trial < 200; ++trial) {
        const Gf128 a = random_element(rng);
        const Gf128 b = random_element(rng);
        const Gf128 delta = random_element(rng);
        Bytes m(32), m2(32);
        const auto a_bytes = gf128_to_bytes(a), b_bytes = gf128_to_bytes(b);
        const auto a2_bytes = gf128_to_bytes({a.low ^ 1, a.high});
        const auto b2_bytes = gf128_to_bytes({b.low ^ delta.low, b.high ^ delta.high});
        std::copy(a_bytes.begin(), a_bytes.end(), m.begin());
        std::copy(b_bytes.begin(), b_bytes.end(), m.begin() + 16);
        std::copy(a2_bytes.begin(), a2_bytes.end(), m2.begin());
        std::copy(b2_bytes.begin(), b2_bytes.end(), m2.begin() + 16);
        for (HashPath path : supported_paths()) {
            EXPECT_EQ(poly_hash_128(key_of(delta), m, 256, path), poly_hash_128(key_of(delta), m2, 256, path));
            EXPECT_EQ(poly_hash_128(key_of({0, 0}), m, 256, path), poly_hash_128(key_of({0, 0}), m2, 256, path));
            const Gf128 other = random_element(rng);  // not a root, except with probability 2^-127
            EXPECT_NE(poly_hash_128(key_of(other), m, 256, path), poly_hash_128(key_of(other), m2, 256, path));
        }
    }
}

// Collision rate over random keys for chosen pairs (one flipped bit, one extra bit of length, a
// flipped bit in a long message). Each pair collides with probability at most eps = (d + 1) / 2^128
// per key, so over T = 3 * 2^16 keys the expected count is below T eps < 2^-108; the test fails on a
// single collision, a false alarm rate below 2^-108. A family that lost the dependence on some block
// or on the length would collide on every key and fail at once.
TEST(PolyHash, CollisionRateOverRandomKeysFitsTheBound) {
    CounterRng rng(4);
    const Bytes base = random_bytes(64, rng);
    Bytes flipped = base;
    flipped[37] ^= 0x10;
    const Bytes long_base = random_bytes(4096, rng);
    Bytes long_flipped = long_base;
    long_flipped[4000] ^= 0x01;
    struct Pair {
        ByteSpan m;
        std::uint64_t bits;
        ByteSpan m2;
        std::uint64_t bits2;
    };
    const Pair pairs[] = {{base, 512, flipped, 512}, {base, 511, base, 512}, {long_base, 32768, long_flipped, 32768}};
    std::uint64_t collisions = 0;
    for (const Pair& p : pairs) {
        // Same content, lengths 511 and 512 bits: the last bit of `base` must be zero for 511 bits
        // to be a valid packing, so compare against a copy with it cleared.
        Bytes m_copy(p.m.begin(), p.m.end());
        if (p.bits % 8 != 0) m_copy.back() &= static_cast<Byte>(0xFFU << (8 - p.bits % 8));
        Bytes m2_copy(p.m2.begin(), p.m2.end());
        if (p.bits != p.bits2) m2_copy = m_copy;  // the same bytes, a different length
        for (int i = 0; i < (1 << 16); ++i) {
            const PolyHashKey key = key_of(random_element(rng));
            collisions += poly_hash_128(key, m_copy, p.bits) == poly_hash_128(key, m2_copy, p.bits2) ? 1U : 0U;
        }
    }
    EXPECT_EQ(collisions, 0U);
}

TEST(PolyHash, EpsilonIsBlocksPlusOneOver2To128) {
    EXPECT_EQ(poly_hash_128_epsilon(0).numerator, 1U);
    EXPECT_EQ(poly_hash_128_epsilon(1).numerator, 2U);
    EXPECT_EQ(poly_hash_128_epsilon(128).numerator, 2U);
    EXPECT_EQ(poly_hash_128_epsilon(129).numerator, 3U);
    EXPECT_EQ(poly_hash_128_epsilon(100'000'000).numerator, 781'251U);
    EXPECT_EQ(poly_hash_128_epsilon(1).log2_denominator, 128U);
    EXPECT_DOUBLE_EQ(poly_hash_128_epsilon(128).value(), 2.0 / 3.402823669209385e38);
}

SecretBits random_key(std::uint64_t bits, CounterRng& rng) {
    PackedBits p(bits);
    for (std::uint64_t i = 0; i < bits; ++i) p.set(i, (rng.next() & 1U) != 0);
    return SecretBits::copy_of(p);
}

TEST(Verification, EqualKeysPassAndAnyFlippedBitFails) {
    CounterRng rng(5);
    const SecretBits key = random_key(1001, rng);
    const PolyHashKey seed = key_of(random_element(rng));
    const wire::Verification message = make_verification(42, key, seed);
    EXPECT_EQ(message.algorithm, wire::Verification::Algorithm::poly_gf2_128);
    const PolyHashValue expected_tag = reference_hash(seed, key.reveal(), 1001);
    EXPECT_EQ(message.tag, Bytes(expected_tag.begin(), expected_tag.end()));
    // Through the wire codec and back.
    Result<Bytes> encoded = wire::encode_payload(message);
    ASSERT_TRUE(encoded.ok());
    Result<wire::Verification> decoded = wire::decode_payload<wire::Verification>(*encoded);
    ASSERT_TRUE(decoded.ok());
    EXPECT_TRUE(check_verification(*decoded, 42, key).ok());
    for (std::uint64_t bit : {0U, 1U, 500U, 1000U}) {
        SecretBits other = key.clone();
        other.set(bit, !other.get(bit));
        Status s = check_verification(message, 42, other);
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().field, "tag");
        EXPECT_EQ(s.error().code, Errc::inconsistent);
    }
    // A key one bit shorter (same bytes once the padding is cleared) fails too: the length is hashed.
    SecretBits shorter = key.slice(0, 1000);
    EXPECT_FALSE(check_verification(message, 42, shorter).ok());
}

TEST(Verification, RejectsTheOtherAlgorithmAndTheWrongBlock) {
    CounterRng rng(6);
    const SecretBits key = random_key(64, rng);
    wire::Verification message = make_verification(1, key, key_of(random_element(rng)));
    Status wrong_block = check_verification(message, 2, key);
    ASSERT_FALSE(wrong_block.ok());
    EXPECT_EQ(wrong_block.error().field, "block_id");
    message.algorithm = wire::Verification::Algorithm::poly_gf2_64;
    message.seed.resize(8);
    message.tag.resize(8);
    Status wrong_algorithm = check_verification(message, 1, key);
    ASSERT_FALSE(wrong_algorithm.ok());
    EXPECT_EQ(wrong_algorithm.error().field, "algorithm");
    EXPECT_EQ(verification_epsilon(1000).numerator, 9U);  // ceil(1000 / 128) + 1
}

}  // namespace
}  // namespace tfqkd::pp
