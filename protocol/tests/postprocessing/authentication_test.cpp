// Wegman-Carter authentication, the key pool, and final keys.
#include "protocol/postprocessing/authentication.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "base/rng.hpp"
#include "protocol/postprocessing/key.hpp"
#include "protocol/wire/frame.hpp"

namespace tfqkd::pp {
namespace {

PackedBits random_bits(std::uint64_t size, CounterRng& rng) {
    PackedBits bits(size);
    for (std::uint64_t i = 0; i < size; ++i) bits.set(i, (rng.next() & 1U) != 0);
    return bits;
}

// Every bit comes out once, in stream order: the takes tile the stream formed by the pre-shared
// bits and the replenishments, without overlap or gap, and the bits are those of the stream.
TEST(KeyPool, HandsOutEveryBitExactlyOnceInStreamOrder) {
    CounterRng rng(1);
    const PackedBits initial = random_bits(1000, rng);
    std::vector<bool> stream;
    for (std::uint64_t i = 0; i < initial.size(); ++i) stream.push_back(initial.get(i));
    KeyPool pool(SecretBits::copy_of(initial));
    std::uint64_t next = 0;
    std::vector<int> times_handed_out;
    for (int round = 0; round < 400; ++round) {
        if (rng.below(4) == 0) {
            const PackedBits fresh = random_bits(1 + rng.below(700), rng);
            for (std::uint64_t i = 0; i < fresh.size(); ++i) stream.push_back(fresh.get(i));
            pool.replenish(SecretBits::copy_of(fresh));
        }
        ASSERT_EQ(pool.available_bits() + pool.consumed_bits(), stream.size());
        const std::uint64_t count = rng.below(300);
        const std::uint64_t first = pool.consumed_bits();
        ASSERT_EQ(first, next);  // starts where the previous take ended: no overlap, no gap
        Result<SecretBits> taken = pool.take(count);
        if (first + count > stream.size()) {
            ASSERT_FALSE(taken.ok());
            EXPECT_TRUE(is_pool_exhausted(taken.error()));
            EXPECT_EQ(pool.consumed_bits(), first);  // a refused take debits nothing
            continue;
        }
        ASSERT_TRUE(taken.ok());
        ASSERT_EQ(taken->size(), count);
        for (std::uint64_t i = 0; i < count; ++i) ASSERT_EQ(taken->get(i), stream[first + i]) << first + i;
        times_handed_out.resize(first + count, 0);
        for (std::uint64_t i = first; i < first + count; ++i) ++times_handed_out[i];
        next = first + count;
    }
    for (std::size_t i = 0; i < times_handed_out.size(); ++i) ASSERT_EQ(times_handed_out[i], 1) << i;
    EXPECT_GT(next, 1000U);  // the replenishments were used as well
}

TEST(KeyPool, ExhaustionIsReportedAndRecoverableByReplenishing) {
    CounterRng rng(2);
    KeyPool pool(SecretBits::copy_of(random_bits(kAuthenticationBitsPerTag + 10, rng)));
    const Bytes message = {1, 2, 3};
    ASSERT_TRUE(authentication_tag(message, pool).ok());
    Result<wire::Tag> second = authentication_tag(message, pool);
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(is_pool_exhausted(second.error()));
    EXPECT_EQ(second.error().message, "key_pool");
    EXPECT_EQ(pool.available_bits(), 10U);
    pool.replenish(SecretBits::copy_of(random_bits(kAuthenticationBitsPerTag, rng)));
    EXPECT_TRUE(authentication_tag(message, pool).ok());
}

// Two identical pools, one per party.
struct TwinPools {
    KeyPool sender;
    KeyPool receiver;
    explicit TwinPools(std::uint64_t bits, std::uint64_t seed) {
        CounterRng rng(seed);
        const PackedBits shared = random_bits(bits, rng);
        sender = KeyPool(SecretBits::copy_of(shared));
        receiver = KeyPool(SecretBits::copy_of(shared));
    }
};

TEST(Authentication, TagIsTheHashUnderTheFirstKeyBitsXorTheNext) {
    CounterRng rng(3);
    const PackedBits shared = random_bits(256, rng);
    KeyPool pool(SecretBits::copy_of(shared));
    const Bytes message = {10, 20, 30, 40, 50};
    Result<wire::Tag> tag = authentication_tag(message, pool);
    ASSERT_TRUE(tag.ok());
    PolyHashKey key;
    std::copy(shared.bytes().begin(), shared.bytes().begin() + 16, key.begin());
    // The hash of a 5-byte message: one block, then the length 40; checked through the field product.
    const Gf128 k = gf128_from_bytes(key);
    Byte block[16] = {10, 20, 30, 40, 50};
    Gf128 acc = gf128_multiply(gf128_from_bytes(block), k);
    acc = gf128_multiply({acc.low ^ 40U, acc.high}, k);
    const auto hash = gf128_to_bytes(acc);
    for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ((*tag)[i], hash[i] ^ shared.bytes()[16 + i]) << i;
    EXPECT_EQ(pool.available_bits(), 0U);
}

TEST(Authentication, GenuineFramesPassAndEveryModificationFails) {
    const wire::FrameHeader header{wire::MessageType::verification, wire::Role::alice, wire::Role::bob, 7, 0};
    wire::Verification message;
    message.block_id = 3;
    message.seed.assign(16, 0xAB);
    message.tag.assign(16, 0xCD);
    Result<Bytes> encoded = wire::encode_frame_message(header, message);
    ASSERT_TRUE(encoded.ok());
    const Bytes unsigned_frame = *encoded;

    TwinPools pools(64 * kAuthenticationBitsPerTag, 4);
    Bytes frame = unsigned_frame;
    ASSERT_TRUE(sign_frame(frame, pools.sender).ok());
    EXPECT_TRUE(verify_frame(frame, pools.receiver).ok());

    // Every single-bit change of the header and payload, each checked against a fresh twin pair whose
    // sender has tagged the genuine frame (the adversary substitutes after seeing it).
    std::uint64_t checked = 0;
    for (std::size_t byte = 0; byte + wire::kTagSize < frame.size(); byte += 3) {
        TwinPools twins(2 * kAuthenticationBitsPerTag, 100 + byte);
        Bytes genuine = unsigned_frame;
        ASSERT_TRUE(sign_frame(genuine, twins.sender).ok());
        Bytes forged = genuine;
        forged[byte] = static_cast<Byte>(forged[byte] ^ (1U << (byte % 8)));
        Status s = verify_frame(forged, twins.receiver);
        ASSERT_FALSE(s.ok()) << "byte " << byte;
        ++checked;
    }
    EXPECT_GT(checked, 10U);

    // A changed tag fails; the failure spends the receiver's bits, so the sender's next frame is
    // still verified with bits the two pools agree on.
    TwinPools twins(4 * kAuthenticationBitsPerTag, 5);
    Bytes genuine = unsigned_frame;
    ASSERT_TRUE(sign_frame(genuine, twins.sender).ok());
    Bytes bad_tag = genuine;
    bad_tag.back() ^= 0x01;
    Status s = verify_frame(bad_tag, twins.receiver);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "tag");
    EXPECT_EQ(s.error().code, Errc::invalid_value);
    // Replaying the genuine frame later fails: the key bits have moved on.
    EXPECT_FALSE(verify_frame(genuine, twins.receiver).ok());
    Bytes second = unsigned_frame;
    ASSERT_TRUE(sign_frame(second, twins.sender).ok());  // sender's 2nd tag
    ASSERT_TRUE(sign_frame(second, twins.sender).ok());  // 3rd: the receiver has used 2 tags' bits so far
    EXPECT_TRUE(verify_frame(second, twins.receiver).ok());
}

TEST(Authentication, FramesOffThePeerChannelAreNotVerified) {
    const wire::FrameHeader header{wire::MessageType::abort, wire::Role::alice, wire::Role::charlie, 1, 0};
    wire::Abort message;
    message.reason = wire::Abort::Reason::user_request;
    Result<Bytes> encoded = wire::encode_frame_message(header, message);
    ASSERT_TRUE(encoded.ok());
    TwinPools pools(kAuthenticationBitsPerTag, 6);
    Status s = verify_frame(*encoded, pools.receiver);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "tag");
    EXPECT_EQ(pools.receiver.consumed_bits(), 0U);
}

TEST(Authentication, EpsilonPerTag) {
    // A 1 MiB frame: 65536 blocks, epsilon = 65537 / 2^128.
    EXPECT_EQ(authentication_epsilon(1U << 20).numerator, 65537U);
    EXPECT_EQ(authentication_epsilon(45).numerator, 4U);  // 360 bits: 3 blocks
}

TEST(FinalKey, CarriesMetadataAndChecksIt) {
    CounterRng rng(7);
    KeyMetadata meta;
    meta.session_id = 9;
    meta.block_id = 2;
    meta.length_bits = 100;
    meta.reconciled_bits = 1000;
    meta.leaked_bits = 300;
    meta.epsilon = {1e-30, 1e-10, 2e-10, 3e-30};
    Result<FinalKey> key = FinalKey::make(meta, SecretBits::copy_of(random_bits(100, rng)));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->metadata(), meta);
    EXPECT_DOUBLE_EQ(key->metadata().epsilon.total(), 1e-30 + 1e-10 + 2e-10 + 3e-30);
    SecretBits bits = key->release_bits();
    EXPECT_EQ(bits.size(), 100U);
    EXPECT_TRUE(key->bits().empty());

    Result<FinalKey> wrong_length = FinalKey::make(meta, SecretBits::copy_of(random_bits(99, rng)));
    ASSERT_FALSE(wrong_length.ok());
    EXPECT_EQ(wrong_length.error().field, "length_bits");
    KeyMetadata longer = meta;
    longer.reconciled_bits = 50;
    EXPECT_EQ(FinalKey::make(longer, SecretBits::copy_of(random_bits(100, rng))).error().field, "reconciled_bits");
    KeyMetadata negative = meta;
    negative.epsilon.secrecy = -1;
    EXPECT_EQ(FinalKey::make(negative, SecretBits::copy_of(random_bits(100, rng))).error().field, "epsilon");
}

}  // namespace
}  // namespace tfqkd::pp
