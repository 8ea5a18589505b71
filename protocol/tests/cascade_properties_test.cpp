// Cascade properties over generated keys, lengths, QBERs and seeds (RapidCheck):
//  - no correct bit is ever flipped: the corrected count plus the errors left is the error count;
//  - the responder and the corrector count the same disclosed bits;
//  - the corrector finishes, and its key has the reference's length.
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
    const auto run = run_cascade(config, pair.reference, pair.noisy);
    RC_ASSERT(run.corrected.size() == n);
    RC_ASSERT(run.corrected_bits + differing_bits(run.corrected, pair.reference) == pair.errors);
    RC_ASSERT(run.corrector_disclosed == run.responder_disclosed);
}

}  // namespace
}  // namespace tfqkd::protocol
