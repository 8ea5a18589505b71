// Simulation benchmarks (Google Benchmark). The targets, on one core:
//  - event stream: at least 1e7 heralded events per second;
//  - aggregated statistics for one link at N = 1e13: at most 100 ms.
// Memory is flat in N for both (constant-size state; the stream writes into a caller's batch).
#include <benchmark/benchmark.h>

#include <vector>

#include "hardware_model/events.hpp"
#include "hardware_model/heralds.hpp"
#include "hardware_model/sampled.hpp"
#include "security/choices.hpp"
#include "sns_example.hpp"

namespace {

using namespace tfqkd;

security::ProtocolParameters protocol(std::uint64_t pulses) {
    return hardware_model::testing::example_sns_protocol(pulses);
}

hardware_model::Link link_at(double km) { return hardware_model::symmetric_link(km, 0.2, 0.8, 1e-10, 0.03, 0.1); }

// Heralded events per second of the stream over a session of 1e11 slots at 100 km (about 8e8
// heralds in the session; each iteration takes one batch of 4096 events).
void BM_EventStream(benchmark::State& state) {
    auto stream = hardware_model::EventStream::create(protocol(100'000'000'000ULL), link_at(static_cast<double>(state.range(0))), 1);
    std::vector<hardware_model::Event> batch(4096);
    std::uint64_t events = 0;
    for (auto _ : state) {
        const std::size_t n = stream->next(batch);
        benchmark::DoNotOptimize(batch.data());
        events += n;
        if (n == 0) state.SkipWithError("session ended");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(events));
}
BENCHMARK(BM_EventStream)->Arg(100)->Arg(300);

// One block of 1e13 pulses sampled with its ground truth.
void BM_SampleStatistics(benchmark::State& state) {
    const auto p = protocol(static_cast<std::uint64_t>(state.range(0)) * 1'000'000'000'000ULL);
    const auto link = link_at(100);
    std::uint64_t seed = 0;
    for (auto _ : state) {
        auto run = hardware_model::sample_statistics(p, link, ++seed);
        benchmark::DoNotOptimize(run);
    }
}
BENCHMARK(BM_SampleStatistics)->Arg(10)->Arg(1000)->Unit(benchmark::kMillisecond);

// Aggregating a stream (events per second through EventAggregator::add).
void BM_Aggregate(benchmark::State& state) {
    const auto p = protocol(100'000'000'000ULL);
    auto stream = hardware_model::EventStream::create(p, link_at(100), 2);
    auto aggregator = hardware_model::EventAggregator::create(p, link_at(100));
    std::vector<hardware_model::Event> batch(4096);
    const std::size_t n = stream->next(batch);
    for (auto _ : state) aggregator->add(std::span<const hardware_model::Event>(batch.data(), n));
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_Aggregate);

// A whole SNS block driven by the parties' choices (HeraldStream): the 4-intensity settings of
// cli/tests/data/pku_pair.json with AOPP (the clicks are those without), N = 1e11 slots over 370 km
// of symmetric fibre at 0.16 dB/km, detector efficiency 0.6, dark counts 1e-8, misalignment 1 %
// (the PKU server profile's 20 dB extinction), phase noise 0.1 rad. One iteration drains the
// stream in batches of 2^16 heralds and reads the tally; the counters give the heralds and the
// candidates examined.
void BM_HeraldStreamBlock(benchmark::State& state) {
    using security::Window;
    security::ProtocolParameters p;
    p.aopp = true;
    p.alice = {{Window::z, 0.4, 0.021}, {Window::z, 0.0, 0.679}, {Window::x, 0.0, 0.12},
               {Window::x, 0.1, 0.12},  {Window::x, 0.38, 0.06}};
    p.bob = p.alice;
    p.phase_slices = 16;
    p.pulses = 100'000'000'000ULL;
    const auto link = hardware_model::symmetric_link(370, 0.16, 0.6, 1e-8, 0.01, 0.1);
    std::vector<hardware_model::Herald> batch(1U << 16);
    std::uint64_t seed = 0, heralds = 0, candidates = 0;
    for (auto _ : state) {
        ++seed;
        const auto alice = security::ChoiceSource::create(p, security::Party::alice, 2 * seed);
        const auto bob = security::ChoiceSource::create(p, security::Party::bob, 2 * seed + 1);
        auto stream = hardware_model::HeraldStream::create(p, link, *alice, *bob, seed);
        if (!stream) {
            state.SkipWithError("create failed");
            break;
        }
        while (const std::size_t n = stream->next(batch)) benchmark::DoNotOptimize(batch.data() + n - 1);
        const auto tally = stream->tally();
        benchmark::DoNotOptimize(tally.windows.data());
        heralds = stream->heralds();
        candidates = stream->candidates();
    }
    state.counters["heralds"] = static_cast<double>(heralds);
    state.counters["candidates"] = static_cast<double>(candidates);
}
BENCHMARK(BM_HeraldStreamBlock)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
