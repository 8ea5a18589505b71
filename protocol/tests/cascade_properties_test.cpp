// Cascade properties over generated keys, lengths, QBERs and seeds (RapidCheck):
//  - no correct bit is ever flipped: the corrected count plus the errors left is the error count;
//  - the responder and the corrector count the same disclosed bits;
//  - the corrector finishes, and its key has the reference's length;
//  - the responder's parities add up: a range's parity is the XOR of its two parts' in every pass,
//    and the whole key's parity is the popcount of the key, whatever the pass.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "cascade_support.hpp"
#include "protocol/cascade.hpp"

namespace tfqkd::protocol {
namespace {

using cascade_support::differing_bits;
using cascade_support::make_key_pair;
using cascade_support::run_cascade;

RC_GTEST_PROP(CascadeProperties, NeverFlipsACorrectBitAndBothCountTheSameLeakage, ()) {
    const auto n = *rc::gen::inRange<std::uint64_t>(1, 5000);
    const double qber = *rc::gen::inRange(0, 120) / 1000.0;  // 0 .. 11.9 %
    const double estimate = *rc::gen::inRange(0, 120) / 1000.0;
    const auto seed = *rc::gen::arbitrary<std::uint64_t>();
    const auto pair = make_key_pair(n, qber, seed);
    CascadeConfig config;
    config.block_id = seed >> 1;
    config.shuffle_seed = seed * 3;
    auto schedule = CascadeSchedule::demystifying(n, estimate);
    RC_ASSERT(schedule.ok());
    config.schedule = *schedule;
    config.open_next_pass_at = *rc::gen::element<std::uint32_t>(0, 1, 5, 100);
    const auto run = run_cascade(config, pair.reference, pair.noisy);
    RC_ASSERT(run.corrected.size() == n);
    RC_ASSERT(run.corrected_bits + differing_bits(run.corrected, pair.reference) == pair.errors);
    RC_ASSERT(run.corrector_disclosed == run.responder_disclosed);
}

RC_GTEST_PROP(CascadeProperties, ResponderParitiesAddUp, ()) {
    const auto n = *rc::gen::inRange<std::uint64_t>(2, 3000);
    const auto seed = *rc::gen::arbitrary<std::uint64_t>();
    const auto pair = make_key_pair(n, 0.0, seed);
    CascadeConfig config;
    config.shuffle_seed = seed + 1;
    auto schedule = CascadeSchedule::demystifying(n, *rc::gen::inRange(1, 120) / 1000.0);
    RC_ASSERT(schedule.ok());
    config.schedule = *schedule;
    auto responder = CascadeResponder::create(config, pair.reference);
    RC_ASSERT(responder.ok());
    const auto pass = *rc::gen::inRange<unsigned>(1, static_cast<unsigned>(config.schedule.block_bits.size()) + 1);
    // A range [start, end) and its split at `cut`, start < cut < end.
    const auto start = *rc::gen::inRange<std::uint64_t>(0, n - 1);
    const auto end = *rc::gen::inRange<std::uint64_t>(start + 2, n + 1);
    const auto cut = *rc::gen::inRange<std::uint64_t>(start + 1, end);
    wire::CascadeParityQuery query;
    query.block_id = config.block_id;
    query.pass = static_cast<std::uint8_t>(pass);
    query.permutation_seed = permutation_seed_for(config.shuffle_seed, pass);
    query.ranges = {{start, cut - start}, {cut, end - cut}};
    auto parts = responder->answer(query);
    RC_ASSERT(parts.ok());
    query.ranges = {{start, end - start}};
    auto whole = responder->answer(query);
    RC_ASSERT(whole.ok());
    RC_ASSERT(whole->parities.get(0) == (parts->parities.get(0) != parts->parities.get(1)));
    query.ranges = {{0, n}};
    auto key = responder->answer(query);
    RC_ASSERT(key.ok());
    RC_ASSERT(key->parities.get(0) == (pair.reference.popcount() % 2 == 1));
}

}  // namespace
}  // namespace tfqkd::protocol
