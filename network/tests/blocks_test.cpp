// Two blocks in a row: the authentication pools are replenished from the first block's key and
// carry the second (docs/protocol.md 3.6); without replenishment the second runs out and aborts.
#include <gtest/gtest.h>

#include "network/session.hpp"
#include "session_setups.hpp"

namespace tfqkd::network {
namespace {

// The blocks: SNS with AOPP over 200 km (session_setups.hpp), whose key pays for the next block's
// tags. (A Cascade-heavy block, QBER of a few percent, spends more pool bits than it makes:
// docs/protocol.md 3.6.)
SessionSetup sns_block(std::uint64_t seed, std::uint64_t block_id) {
    SessionSetup s = test::sns_aopp_200km_setup(seed);
    s.block_id = block_id;
    return s;
}

std::shared_ptr<const party::PeerPools> random_pools(std::uint64_t bits, std::uint64_t seed) {
    auto pools = std::make_shared<party::PeerPools>();
    pools->alice_to_bob = SecretBits(bits);
    pools->bob_to_alice = SecretBits(bits);
    party::SeededRandom random(seed);
    random.fill(pools->alice_to_bob.reveal_mutable());
    random.fill(pools->bob_to_alice.reveal_mutable());
    return pools;
}

TEST(Blocks, ThePoolsReplenishedFromOneBlockCarryTheNext) {
    // How many pool bits one block takes per direction, from a block with a large pool.
    constexpr std::uint64_t kLarge = 1U << 22;
    SessionSetup probe = sns_block(1, 1);
    probe.pools = random_pools(kLarge, 9);
    probe.replenish_bits = 1;
    auto first = run_session(probe);
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    ASSERT_TRUE(first->keys_equal);
    ASSERT_NE(first->next_pools, nullptr);
    const std::uint64_t used_a2b = kLarge + 1 - first->next_pools->alice_to_bob.size();
    const std::uint64_t used_b2a = kLarge + 1 - first->next_pools->bob_to_alice.size();
    EXPECT_GT(used_a2b, 0U);
    EXPECT_GT(used_b2a, 0U);
    const std::uint64_t need = std::max(used_a2b, used_b2a);

    // One block's worth and a half: enough for the first block, not for two.
    const std::uint64_t pool = need + need / 2;
    SessionSetup one = sns_block(1, 1);
    one.pools = random_pools(pool, 10);
    one.replenish_bits = need;
    auto block1 = run_session(one);
    ASSERT_TRUE(block1.ok());
    ASSERT_TRUE(block1->keys_equal);
    ASSERT_NE(block1->next_pools, nullptr);
    const auto& meta = *block1->alice.key;
    EXPECT_EQ(meta.pool_bits, 2 * need);
    EXPECT_EQ(meta.length_bits + meta.pool_bits, block1->bob_summary.certified->bits);
    EXPECT_EQ(block1->key_bits, meta.length_bits);

    SessionSetup two = sns_block(2, 2);
    two.pools = block1->next_pools;
    auto block2 = run_session(two);
    ASSERT_TRUE(block2.ok());
    EXPECT_TRUE(block2->keys_equal) << "the replenished pools carry the second block";

    // The same first block with one bit replenished per direction instead: its pools for the next
    // block are the same unused bits followed by one fresh bit, and the second block runs out.
    auto starved = std::make_shared<party::PeerPools>();
    const auto& full = *block1->next_pools;
    starved->alice_to_bob = full.alice_to_bob.slice(0, full.alice_to_bob.size() - need + 1);
    starved->bob_to_alice = full.bob_to_alice.slice(0, full.bob_to_alice.size() - need + 1);
    two.pools = starved;
    auto starved2 = run_session(two);
    ASSERT_TRUE(starved2.ok());
    EXPECT_FALSE(starved2->keys_equal);
    EXPECT_FALSE(starved2->alice.key.has_value());
    EXPECT_FALSE(starved2->bob.key.has_value());
    const bool exhausted =
        (starved2->alice.failure && starved2->alice.failure->reason == wire::Abort::Reason::auth_pool_exhausted) ||
        (starved2->bob.failure && starved2->bob.failure->reason == wire::Abort::Reason::auth_pool_exhausted);
    EXPECT_TRUE(exhausted);
}

TEST(Blocks, PoolsAreHandedOverOnlyFromAKeyLongEnough) {
    SessionSetup s = sns_block(3, 1);
    s.protocol.pulses = 500'000'000;  // a shorter block is enough here
    s.replenish_bits = 1U << 30;  // more than the key
    auto r = run_session(s);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->keys_equal);            // the key itself stands
    EXPECT_EQ(r->next_pools, nullptr);     // but no pools could be made from it
    EXPECT_EQ(r->alice.key->pool_bits, 0U);
}

}  // namespace
}  // namespace tfqkd::network
