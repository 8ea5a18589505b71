// Whole sessions (network/session.hpp): the target is an SNS-AOPP session over a simulated
// 370 km link with N = 10^11 pulses in at most 60 s on 2 cores and 4 GiB. The counters give the
// session's own figures: heralds, certified key bits and peak resident memory of the process.
//
// Run with: build/network/bench/session_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "network/session.hpp"

namespace {

using namespace tfqkd;
using security::Window;

// The settings of `tfqkd session --example sns-aopp` (an optimum of `tfqkd keyrate --optimise`).
network::SessionSetup sns_aopp_370km(std::uint64_t pulses) {
    network::SessionSetup s;
    s.protocol.family = security::Family::sns;
    s.protocol.aopp = true;
    s.protocol.pulses = pulses;
    s.protocol.phase_slices = 16;
    s.protocol.alice = {{Window::z, 0.5007, 0.2352}, {Window::z, 0, 0.6008}, {Window::x, 0, 0.0497},
                        {Window::x, 0.06328, 0.1063}, {Window::x, 0.521, 0.008}};
    s.protocol.bob = s.protocol.alice;
    s.security.eps_total = 1e-8;
    s.link = hardware_model::symmetric_link(370, 0.16, 0.6, 1e-8, 0.01, 0.1);
    return s;
}

void run(benchmark::State& state, const network::SessionSetup& setup) {
    network::SessionReport last;
    for (auto _ : state) {
        auto report = network::run_session(setup);
        if (!report || !report->keys_equal) {
            state.SkipWithError(report ? "the session aborted" : report.error().to_string().c_str());
            return;
        }
        last = std::move(*report);
    }
    state.counters["heralds"] = static_cast<double>(last.heralds);
    state.counters["key_bits"] = static_cast<double>(last.key_bits);
    state.counters["peak_rss_MiB"] = static_cast<double>(last.peak_rss_bytes) / (1 << 20);
    state.counters["frames"] = static_cast<double>(last.frames);
}

void BM_SessionSnsAopp370km(benchmark::State& state) {
    run(state, sns_aopp_370km(static_cast<std::uint64_t>(state.range(0))));
}
BENCHMARK(BM_SessionSnsAopp370km)->Arg(100'000'000'000)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

void BM_SessionSnsAopp370kmStream(benchmark::State& state) {
    auto setup = sns_aopp_370km(100'000'000'000);
    setup.transport = network::TransportKind::stream;
    run(state, setup);
}
BENCHMARK(BM_SessionSnsAopp370kmStream)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
