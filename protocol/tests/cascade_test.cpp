// Cascade (protocol/cascade.hpp): the corrector ends with the reference key over many seeded keys
// (also with overlapping passes), the leakage is the reply bits counted from the wire, the efficiency
// at 2 % QBER is within the target, a key without errors costs only the block parities, every pass
// reads each key bit once, and bad input (including replies that contradict each other) is rejected
// by name.
//
// Expected values are computed here by hand (block counts, schedules) or from the inputs (the error
// count of a key pair, reply bits parsed from raw bytes), never by the code under test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <vector>

#include "cascade_support.hpp"
#include "protocol/cascade.hpp"
#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"

namespace tfqkd::protocol {
namespace {

using cascade_support::binary_entropy;
using cascade_support::differing_bits;
using cascade_support::make_key_pair;
using cascade_support::run_cascade;

CascadeConfig config_for(std::uint64_t n, double qber_estimate, std::uint64_t shuffle_seed) {
    CascadeConfig config;
    config.block_id = 0x7F000001;
    config.shuffle_seed = shuffle_seed;
    auto schedule = CascadeSchedule::demystifying(n, qber_estimate);
    EXPECT_TRUE(schedule.ok()) << schedule.error().to_string();
    config.schedule = *schedule;
    return config;
}

// --- the schedule -------------------------------------------------------------------------------

TEST(CascadeSchedule, FollowsOptionEightOfMartinezMateoEtAl) {
    // a = log2(1/p) - 1/2; k1 = 2^ceil(a), k2 = 2^ceil((a + 12)/2), k3 = 4096, then n/2 to pass 14.
    // p = 0.02: a = 5.144 -> k1 = 64; (a + 12)/2 = 8.572 -> k2 = 512.
    auto two = CascadeSchedule::demystifying(1'000'000, 0.02);
    ASSERT_TRUE(two.ok());
    std::vector<std::uint64_t> expected{64, 512, 4096};
    expected.resize(14, 500'000);
    EXPECT_EQ(two->block_bits, expected);
    // p = 0.05: a = 3.822 -> k1 = 16; (a + 12)/2 = 7.911 -> k2 = 256.
    auto five = CascadeSchedule::demystifying(1'000'000, 0.05);
    ASSERT_TRUE(five.ok());
    EXPECT_EQ(five->block_bits[0], 16U);
    EXPECT_EQ(five->block_bits[1], 256U);
    // p = 0.01: a = 6.144 -> k1 = 128; (a + 12)/2 = 9.072 -> k2 = 1024.
    auto one = CascadeSchedule::demystifying(1'000'000, 0.01);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->block_bits[0], 128U);
    EXPECT_EQ(one->block_bits[1], 1024U);
    // Below 1e-5 the estimate is 1e-5: a = 16.110 -> k1 = 2^17.
    auto none = CascadeSchedule::demystifying(1'000'000, 0.0);
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->block_bits[0], 131072U);
}

TEST(CascadeSchedule, RejectsWhatItCannotRun) {
    auto bad_qber = CascadeSchedule::demystifying(1000, 0.5);
    ASSERT_FALSE(bad_qber.ok());
    EXPECT_EQ(bad_qber.error().field, "qber_estimate");
    auto empty_key = CascadeSchedule::demystifying(0, 0.02);
    ASSERT_FALSE(empty_key.ok());
    EXPECT_EQ(empty_key.error().field, "key_bits");
    auto too_long = CascadeSchedule::demystifying(1ULL << 32, 0.02);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.error().field, "key_bits");
    CascadeSchedule seventeen_passes{1000, std::vector<std::uint64_t>(17, 10)};
    ASSERT_FALSE(seventeen_passes.check().ok());
    EXPECT_EQ(seventeen_passes.check().error().field, "block_bits");
    CascadeSchedule zero_block{1000, {64, 0}};
    ASSERT_FALSE(zero_block.check().ok());
    EXPECT_EQ(zero_block.check().error().field, "block_bits");
}

// --- correctness --------------------------------------------------------------------------------

// 60 seeded key pairs at each QBER; every one must end equal. Each correction is a real error
// (a single-bit range whose parities differ), so the corrected count is the error count.
TEST(Cascade, CorrectsEveryErrorOverManySeededKeys) {
    constexpr std::uint64_t kBits = 20'000;
    constexpr int kKeysPerQber = 60;
    int frames = 0;
    int frame_errors = 0;
    for (double qber : {0.005, 0.01, 0.02, 0.03, 0.05}) {
        for (int k = 0; k < kKeysPerQber; ++k) {
            const auto seed = static_cast<std::uint64_t>(1000 * qber * 1000 + k);
            const auto pair = make_key_pair(kBits, qber, seed);
            const auto run = run_cascade(config_for(kBits, qber, seed ^ 0xC0FFEE), pair.reference, pair.noisy);
            ++frames;
            if (!(run.corrected == pair.reference)) ++frame_errors;
            EXPECT_EQ(run.corrected, pair.reference) << "qber " << qber << " seed " << seed;
            EXPECT_EQ(run.corrected_bits, pair.errors) << "qber " << qber << " seed " << seed;
            EXPECT_EQ(run.corrector_disclosed, run.responder_disclosed);
        }
    }
    std::cout << "[ residual ] frame errors " << frame_errors << " of " << frames << " frames of " << kBits
              << " bits\n";
    RecordProperty("frames", frames);
    RecordProperty("frame_errors", frame_errors);
}

TEST(Cascade, CorrectsShortAndOddLengthKeys) {
    // Lengths around word and block boundaries, and keys shorter than every block.
    for (std::uint64_t n : {1U, 2U, 3U, 63U, 64U, 65U, 127U, 129U, 1000U, 4097U, 8193U}) {
        for (std::uint64_t seed = 0; seed < 20; ++seed) {
            const auto pair = make_key_pair(n, 0.05, 77 + seed);
            const auto run = run_cascade(config_for(n, 0.05, seed), pair.reference, pair.noisy);
            // Short keys may keep an even number of errors in every block of every pass; what must
            // hold always is that no correct bit is flipped.
            EXPECT_EQ(run.corrected_bits + differing_bits(run.corrected, pair.reference), pair.errors)
                << "n " << n << " seed " << seed;
            if (n >= 1000) {
                EXPECT_EQ(run.corrected, pair.reference) << "n " << n << " seed " << seed;
            }
        }
    }
}

TEST(Cascade, CorrectsAFlippedKeyEvenWhenTheEstimateIsWrong) {
    // The real QBER is 5 % but the schedule was chosen for 1 %: larger blocks, more passes' work, but
    // the same end.
    const auto pair = make_key_pair(50'000, 0.05, 31337);
    const auto run = run_cascade(config_for(50'000, 0.01, 5), pair.reference, pair.noisy);
    EXPECT_EQ(run.corrected, pair.reference);
}

// Opening the next pass while a few searches are still open saves round trips and still corrects
// every error; the leakage is still what the responder sent.
TEST(Cascade, OverlappingPassesSaveRoundTrips) {
    constexpr std::uint64_t kBits = 200'000;
    for (std::uint64_t seed = 0; seed < 4; ++seed) {
        const auto pair = make_key_pair(kBits, 0.02, 70 + seed);
        CascadeConfig sequential = config_for(kBits, 0.02, seed);
        CascadeConfig overlapping = sequential;
        overlapping.open_next_pass_at = 20;
        const auto one = run_cascade(sequential, pair.reference, pair.noisy);
        const auto other = run_cascade(overlapping, pair.reference, pair.noisy);
        EXPECT_EQ(one.corrected, pair.reference) << "seed " << seed;
        EXPECT_EQ(other.corrected, pair.reference) << "seed " << seed;
        EXPECT_EQ(other.corrector_disclosed, other.responder_disclosed);
        EXPECT_LT(other.round_trips, one.round_trips) << "seed " << seed;
        std::cout << "[ overlap ] seed " << seed << ": round trips " << one.round_trips << " -> " << other.round_trips
                  << ", disclosed " << one.corrector_disclosed << " -> " << other.corrector_disclosed << "\n";
    }
}

// --- leakage ------------------------------------------------------------------------------------

// One full run with every message encoded and decoded by the wire codecs, through the generic
// ReconciliationParty interface. The reply bits are counted from the raw bytes of the reply payloads
// (parity_count, a big-endian u32 at offset 12: docs/wire-format.md, 5.11), independently of the
// decoder and of the parties' own counts.
TEST(Cascade, LeakageIsTheReplyBitsCountedOnTheWire) {
    constexpr std::uint64_t kBits = 100'000;
    const auto pair = make_key_pair(kBits, 0.02, 4242);
    const CascadeConfig config = config_for(kBits, 0.02, 99);
    auto responder_or = CascadeResponder::create(config, pair.reference);
    auto corrector_or = CascadeCorrector::create(config, pair.noisy);
    ASSERT_TRUE(responder_or.ok() && corrector_or.ok());
    ReconciliationResponder& responder = *responder_or;
    ReconciliationCorrector& corrector = *corrector_or;

    std::uint64_t reply_bits_on_wire = 0;
    std::uint64_t queries = 0;
    std::uint64_t replies = 0;
    // Encodes, then decodes as the type the frame header would carry.
    const auto over_the_wire = [](const wire::Message& message) {
        auto bytes = wire::encode_message(message);
        EXPECT_TRUE(bytes.ok()) << bytes.error().to_string();
        auto back = wire::decode_message(wire::type_of(message), *bytes);
        EXPECT_TRUE(back.ok()) << back.error().to_string();
        EXPECT_EQ(*back, message);
        return std::pair{std::move(bytes).value(), std::move(back).value()};
    };
    while (corrector.state() == ReconciliationState::running) {
        std::vector<wire::Message> asked = corrector.take_outgoing();
        ASSERT_FALSE(asked.empty()) << "a running corrector waits for nothing";
        for (const wire::Message& query : asked) {
            ASSERT_EQ(wire::type_of(query), wire::MessageType::cascade_parity_query);
            ++queries;
            auto [query_bytes, query_back] = over_the_wire(query);
            ASSERT_TRUE(responder.receive(query_back).ok());
            for (const wire::Message& reply : responder.take_outgoing()) {
                ASSERT_EQ(wire::type_of(reply), wire::MessageType::cascade_parity_reply);
                ++replies;
                auto [reply_bytes, reply_back] = over_the_wire(reply);
                ASSERT_GE(reply_bytes.size(), 16U);
                reply_bits_on_wire += (std::uint64_t{reply_bytes[12]} << 24) | (std::uint64_t{reply_bytes[13]} << 16) |
                                      (std::uint64_t{reply_bytes[14]} << 8) | std::uint64_t{reply_bytes[15]};
                ASSERT_TRUE(corrector.receive(reply_back).ok());
            }
        }
    }
    ASSERT_EQ(corrector.state(), ReconciliationState::finished);
    EXPECT_EQ(queries, replies);
    EXPECT_EQ(corrector.disclosed_bits(), reply_bits_on_wire);
    EXPECT_EQ(responder.disclosed_bits(), reply_bits_on_wire);
    auto key = corrector.corrected_key();
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(*key, pair.reference);
    // A correct run cannot disclose less than the Shannon limit n h(QBER) (Slepian and Wolf 1973).
    const double qber = static_cast<double>(pair.errors) / kBits;
    EXPECT_GT(static_cast<double>(reply_bits_on_wire), kBits * binary_entropy(qber));
}

// The efficiency f = leak / (n h(QBER)) with the true QBER of each key pair, over 10^6-bit keys.
// The target of the issue is f <= 1.10 at 2 % (cascade-cpp's own data give about 1.16).
TEST(Cascade, EfficiencyAtTwoPercentIsWithinTheTarget) {
    constexpr std::uint64_t kBits = 1'000'000;
    constexpr int kRuns = 8;
    double sum = 0;
    double worst = 0;
    for (int r = 0; r < kRuns; ++r) {
        const auto pair = make_key_pair(kBits, 0.02, 500 + static_cast<std::uint64_t>(r));
        const auto run = run_cascade(config_for(kBits, 0.02, 600 + static_cast<std::uint64_t>(r)), pair.reference,
                                     pair.noisy);
        ASSERT_EQ(run.corrected, pair.reference) << "run " << r;
        const double qber = static_cast<double>(pair.errors) / kBits;
        const double f = static_cast<double>(run.corrector_disclosed) / (kBits * binary_entropy(qber));
        sum += f;
        worst = std::max(worst, f);
    }
    const double mean = sum / kRuns;
    std::cout << "[ efficiency ] 2 % QBER, 10^6 bits, " << kRuns << " runs: mean f " << mean << ", worst " << worst
              << "\n";
    RecordProperty("mean_f_x1000", static_cast<int>(mean * 1000));
    EXPECT_LE(mean, 1.10);
    EXPECT_LE(worst, 1.10);
}

TEST(Cascade, NoErrorsDisclosesOnlyTheBlockParities) {
    // n = 10^4 at an estimate of 2 %: blocks of 64, 512 and 4096 bits, then 11 passes of two halves.
    // ceil(10000/64) = 157, ceil(10000/512) = 20, ceil(10000/4096) = 3, 11 * 2 = 22: 202 parities.
    constexpr std::uint64_t kBits = 10'000;
    const auto pair = make_key_pair(kBits, 0.0, 8);
    ASSERT_EQ(pair.errors, 0U);
    const auto run = run_cascade(config_for(kBits, 0.02, 1), pair.reference, pair.noisy);
    EXPECT_EQ(run.corrected, pair.reference);
    EXPECT_EQ(run.corrected_bits, 0U);
    EXPECT_EQ(run.corrector_disclosed, 202U);
    EXPECT_EQ(run.responder_disclosed, 202U);
    // One round trip per pass: the block parities, and no search.
    EXPECT_EQ(run.round_trips, 14U);
}

// --- the pass permutations, seen through the responder ----------------------------------------

// With a key holding a single one at original position i, the parities of the single-bit ranges of a
// pass are zero except at the position where the pass placed bit i. Over all i, those positions must
// be all different: each pass's order is a permutation of the key (both the permuted passes and the
// halving passes), and the whole key's parity is the same in every pass.
TEST(Cascade, EveryPassReadsEachKeyBitExactlyOnce) {
    for (std::uint64_t n : {1U, 2U, 5U, 64U, 100U, 257U}) {
        const CascadeConfig config = config_for(n, 0.05, n * 7 + 1);
        const auto passes = static_cast<unsigned>(config.schedule.block_bits.size());
        for (unsigned pass = 1; pass <= passes; ++pass) {
            std::vector<int> hits(n, 0);
            for (std::uint64_t i = 0; i < n; ++i) {
                PackedBits key(n);
                key.set(i, true);
                auto responder = CascadeResponder::create(config, key);
                ASSERT_TRUE(responder.ok());
                wire::CascadeParityQuery query;
                query.block_id = config.block_id;
                query.pass = static_cast<std::uint8_t>(pass);
                query.permutation_seed = permutation_seed_for(config.shuffle_seed, pass);
                for (std::uint64_t j = 0; j < n; ++j) query.ranges.push_back({j, 1});
                auto reply = responder->answer(query);
                ASSERT_TRUE(reply.ok()) << reply.error().to_string();
                ASSERT_EQ(reply->parities.popcount(), 1U) << "n " << n << " pass " << pass << " bit " << i;
                for (std::uint64_t j = 0; j < n; ++j)
                    if (reply->parities.get(j)) ++hits[j];
                query.ranges = {{0, n}};
                auto whole = responder->answer(query);
                ASSERT_TRUE(whole.ok());
                EXPECT_TRUE(whole->parities.get(0));
            }
            EXPECT_TRUE(std::all_of(hits.begin(), hits.end(), [](int h) { return h == 1; }))
                << "n " << n << " pass " << pass;
        }
    }
}

// --- bad input ----------------------------------------------------------------------------------

void expect_failure(const Status& status, Errc code, std::string_view field) {
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, code) << status.error().to_string();
    EXPECT_EQ(status.error().field, field) << status.error().to_string();
}

template <class T>
void expect_failure(const Result<T>& result, Errc code, std::string_view field) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, code) << result.error().to_string();
    EXPECT_EQ(result.error().field, field) << result.error().to_string();
}

TEST(CascadeBadInput, KeysOfAnotherLengthThanTheSchedule) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    expect_failure(CascadeResponder::create(config, PackedBits(999)), Errc::length_mismatch, "key");
    expect_failure(CascadeCorrector::create(config, PackedBits(1001)), Errc::length_mismatch, "key");
    CascadeConfig no_passes = config;
    no_passes.schedule.block_bits.clear();
    expect_failure(CascadeCorrector::create(no_passes, PackedBits(1000)), Errc::out_of_range, "block_bits");
}

// A corrector and the first query it sends, for the reply tests.
struct Opened {
    CascadeCorrector corrector;
    wire::CascadeParityQuery first;
};

Opened open_corrector(const CascadeConfig& config) {
    auto corrector = CascadeCorrector::create(config, PackedBits(config.schedule.key_bits));
    EXPECT_TRUE(corrector.ok());
    auto queries = corrector->take_queries();
    EXPECT_EQ(queries.size(), 1U);
    return Opened{std::move(corrector).value(), queries.front()};
}

wire::CascadeParityReply reply_to(const wire::CascadeParityQuery& query) {
    wire::CascadeParityReply reply;
    reply.block_id = query.block_id;
    reply.query_id = query.query_id;
    reply.parities = PackedBits(query.ranges.size());
    return reply;
}

TEST(CascadeBadInput, AReplyForAQueryNeverSent) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    Opened opened = open_corrector(config);
    wire::CascadeParityReply reply = reply_to(opened.first);
    reply.query_id += 1;
    expect_failure(opened.corrector.receive_reply(reply), Errc::inconsistent, "query_id");
    // Once failed, it stays failed with the same reason, and has no key.
    EXPECT_EQ(opened.corrector.state(), ReconciliationState::failed);
    expect_failure(opened.corrector.receive_reply(reply_to(opened.first)), Errc::inconsistent, "query_id");
    expect_failure(opened.corrector.corrected_key(), Errc::inconsistent, "query_id");
}

TEST(CascadeBadInput, AReplyAnsweredTwice) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    Opened opened = open_corrector(config);
    // A zero key against zero parities: pass 1 ends at once, pass 2's query goes out.
    ASSERT_TRUE(opened.corrector.receive_reply(reply_to(opened.first)).ok());
    expect_failure(opened.corrector.receive_reply(reply_to(opened.first)), Errc::inconsistent, "query_id");
}

TEST(CascadeBadInput, AReplyOfTheWrongSize) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    Opened opened = open_corrector(config);
    wire::CascadeParityReply reply = reply_to(opened.first);
    reply.parities.push_back(false);
    expect_failure(opened.corrector.receive_reply(reply), Errc::length_mismatch, "parity_count");
}

TEST(CascadeBadInput, AReplyForAnotherBlock) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    Opened opened = open_corrector(config);
    wire::CascadeParityReply reply = reply_to(opened.first);
    reply.block_id += 1;
    expect_failure(opened.corrector.receive_reply(reply), Errc::inconsistent, "block_id");
}

TEST(CascadeBadInput, AMessageOfAnotherType) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    Opened opened = open_corrector(config);
    expect_failure(opened.corrector.receive(wire::Message(opened.first)), Errc::invalid_value, "type");
    auto responder = CascadeResponder::create(config, PackedBits(1000));
    ASSERT_TRUE(responder.ok());
    expect_failure(responder->receive(wire::Message(reply_to(opened.first))), Errc::invalid_value, "type");
    EXPECT_EQ(responder->state(), ReconciliationState::failed);
}

TEST(CascadeBadInput, AReplyAfterTheEnd) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    auto corrector = CascadeCorrector::create(config, PackedBits(1000));
    ASSERT_TRUE(corrector.ok());
    wire::CascadeParityQuery last;
    while (corrector->state() == ReconciliationState::running) {
        for (const auto& query : corrector->take_queries()) {
            last = query;
            ASSERT_TRUE(corrector->receive_reply(reply_to(query)).ok());
        }
    }
    expect_failure(corrector->receive_reply(reply_to(last)), Errc::inconsistent, "query_id");
}

TEST(CascadeBadInput, QueriesTheResponderRefuses) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    const wire::CascadeParityQuery good = open_corrector(config).first;
    const auto refused = [&](auto edit, Errc code, std::string_view field) {
        auto responder = CascadeResponder::create(config, PackedBits(1000));
        ASSERT_TRUE(responder.ok());
        ASSERT_TRUE(responder->answer(good).ok());
        wire::CascadeParityQuery query = good;
        edit(query);
        expect_failure(responder->answer(query), code, field);
        EXPECT_EQ(responder->state(), ReconciliationState::failed);
    };
    refused([](auto& q) { q.block_id ^= 1; }, Errc::inconsistent, "block_id");
    refused([](auto& q) { q.pass = 15; }, Errc::out_of_range, "pass");
    refused([](auto& q) { q.permutation_seed ^= 1; }, Errc::inconsistent, "permutation_seed");
    refused([](auto& q) { q.ranges.back().length += 1; }, Errc::out_of_range, "ranges[].length");
    refused([](auto& q) { q.ranges = {{1000, 1}}; }, Errc::out_of_range, "ranges[].length");
    refused([](auto& q) { q.ranges = {{5, 0}}; }, Errc::out_of_range, "ranges[].length");
    refused([](auto& q) { q.ranges = {{10, 5}, {12, 1}}; }, Errc::not_increasing, "ranges[].start");
    refused([](auto& q) { q.ranges.clear(); }, Errc::out_of_range, "range_count");
}

// A responder that lies: each parity of a true reply is inverted with probability 1/2. The corrector
// must not run forever on what it is told: it either finishes (the verification step would then catch
// the wrong key) or stops at the first bit the replies would make it flip twice, naming "parities".
TEST(CascadeBadInput, RepliesThatContradictEachOtherAreCaught) {
    constexpr std::uint64_t kBits = 4000;
    int caught = 0;
    for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const auto pair = make_key_pair(kBits, 0.03, 900 + seed);
        const CascadeConfig config = config_for(kBits, 0.03, seed);
        auto responder = CascadeResponder::create(config, pair.reference);
        auto corrector = CascadeCorrector::create(config, pair.noisy);
        ASSERT_TRUE(responder.ok() && corrector.ok());
        const CounterRng lies(seed, 3);
        std::uint64_t told = 0;
        int rounds = 0;
        while (corrector->state() == ReconciliationState::running) {
            // Each round trip brings the corrector closer to its end; a run of 10^5 rounds on 4000 bits
            // would be a corrector that loops.
            ASSERT_LT(++rounds, 100'000) << "seed " << seed;
            for (const auto& query : corrector->take_queries()) {
                auto reply = responder->answer(query);
                ASSERT_TRUE(reply.ok());
                for (std::uint64_t k = 0; k < reply->parities.size(); ++k)
                    if ((lies.at(told++) & 1U) != 0) reply->parities.set(k, !reply->parities.get(k));
                const Status status = corrector->receive_reply(*reply);
                if (!status.ok()) {
                    EXPECT_EQ(status.error().code, Errc::inconsistent) << status.error().to_string();
                    EXPECT_EQ(status.error().field, "parities") << status.error().to_string();
                    ++caught;
                    break;
                }
            }
        }
    }
    std::cout << "[ lies ] caught in " << caught << " of 20 runs\n";
    EXPECT_GT(caught, 0);
}

TEST(CascadeBadInput, CorrectedKeyBeforeTheEnd) {
    const CascadeConfig config = config_for(1000, 0.02, 1);
    Opened opened = open_corrector(config);
    expect_failure(opened.corrector.corrected_key(), Errc::inconsistent, "state");
}

}  // namespace
}  // namespace tfqkd::protocol
