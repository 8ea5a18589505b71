// Cascade benchmarks (Google Benchmark). The target: at least 10 Mbit/s at 2 % QBER with an
// efficiency f <= 1.10, on one core. Keys of 10^6 bits; the QBER argument is in tenths of a percent.
//
//  - BM_Cascade: both roles in one thread, from creation (copying the keys, laying out the passes)
//    to the corrected key, on the typed fast path (no encoding; the wire codecs are measured by
//    wire_bench). Reported: Mbit/s of key reconciled (bits_per_second / 1e6), f, round trips.
//  - BM_CascadeCorrector / BM_CascadeResponder: each role alone, fed the other's recorded messages,
//    as each party pays on its own machine.
//
// Run: build/protocol/bench/cascade_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <vector>

#include "cascade_support.hpp"
#include "protocol/cascade.hpp"

namespace {

using namespace tfqkd;
using namespace tfqkd::protocol;

constexpr std::uint64_t kBits = 1'000'000;

struct Fixture {
    cascade_support::KeyPair pair;
    CascadeConfig config;
    double qber = 0;  // the true QBER of the pair
};

Fixture make_fixture(const benchmark::State& state) {
    const double qber = static_cast<double>(state.range(0)) / 1000.0;
    Fixture f{cascade_support::make_key_pair(kBits, qber, 2026), CascadeConfig{}, 0};
    f.config.block_id = 1;
    f.config.shuffle_seed = 7;
    f.config.schedule = *CascadeSchedule::demystifying(kBits, qber);
    f.qber = static_cast<double>(f.pair.errors) / kBits;
    return f;
}

void report(benchmark::State& state, const Fixture& f, std::uint64_t disclosed, std::uint64_t round_trips) {
    state.counters["bits_per_second"] =
        benchmark::Counter(static_cast<double>(kBits), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["f"] = static_cast<double>(disclosed) / (kBits * cascade_support::binary_entropy(f.qber));
    state.counters["round_trips"] = static_cast<double>(round_trips);
}

void BM_Cascade(benchmark::State& state) {
    const Fixture f = make_fixture(state);
    cascade_support::RunResult run;
    for (auto _ : state) {
        run = cascade_support::run_cascade(f.config, f.pair.reference, f.pair.noisy);
        benchmark::DoNotOptimize(run);
    }
    if (!(run.corrected == f.pair.reference)) state.SkipWithError("the keys differ after Cascade");
    report(state, f, run.corrector_disclosed, run.round_trips);
}
BENCHMARK(BM_Cascade)->Arg(10)->Arg(20)->Arg(50)->Unit(benchmark::kMillisecond);

// The conversation of one run, recorded for replay to each role alone.
struct Transcript {
    std::vector<wire::CascadeParityQuery> queries;
    std::vector<wire::CascadeParityReply> replies;
    std::uint64_t disclosed = 0;
    std::uint64_t round_trips = 0;
};

Transcript record(const Fixture& f) {
    Transcript t;
    auto responder = CascadeResponder::create(f.config, f.pair.reference);
    auto corrector = CascadeCorrector::create(f.config, f.pair.noisy);
    while (corrector->state() == ReconciliationState::running) {
        for (wire::CascadeParityQuery& query : corrector->take_queries()) {
            t.replies.push_back(*responder->answer(query));
            (void)corrector->receive_reply(t.replies.back());
            t.queries.push_back(std::move(query));
        }
    }
    t.disclosed = corrector->disclosed_bits();
    t.round_trips = corrector->round_trips();
    return t;
}

void BM_CascadeCorrector(benchmark::State& state) {
    const Fixture f = make_fixture(state);
    const Transcript t = record(f);
    for (auto _ : state) {
        auto corrector = CascadeCorrector::create(f.config, f.pair.noisy);
        std::size_t next = 0;
        while (corrector->state() == ReconciliationState::running) {
            for (const auto& query : corrector->take_queries()) {
                benchmark::DoNotOptimize(query);
                if (!corrector->receive_reply(t.replies[next++])) state.SkipWithError("replay diverged");
            }
        }
        benchmark::DoNotOptimize(corrector->corrected_bits());
    }
    report(state, f, t.disclosed, t.round_trips);
}
BENCHMARK(BM_CascadeCorrector)->Arg(10)->Arg(20)->Arg(50)->Unit(benchmark::kMillisecond);

void BM_CascadeResponder(benchmark::State& state) {
    const Fixture f = make_fixture(state);
    const Transcript t = record(f);
    for (auto _ : state) {
        auto responder = CascadeResponder::create(f.config, f.pair.reference);
        for (const auto& query : t.queries) {
            auto reply = responder->answer(query);
            benchmark::DoNotOptimize(reply);
        }
    }
    report(state, f, t.disclosed, t.round_trips);
}
BENCHMARK(BM_CascadeResponder)->Arg(10)->Arg(20)->Arg(50)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
