// Key-rate benchmarks (Google Benchmark), for SNS (last argument 0) and SNS with AOPP (1), and PM
// (BM_Pm*: a given point at 300 km, an optimised point at 100 and 300 km), CAL19 (BM_Cal19*: the
// same points; its linear programs make a certified optimised point's target 500 ms) and MP-QKD
// (BM_ModePairing*: the same points, maximal pairing interval 1000). The
// issue's targets, on one core unless said:
//  - certifying one given point in intervals: at most 5 ms;
//  - one certified, optimised finite-key point: at most 50 ms;
//  - a 0-700 km sweep in 10 km steps, optimised and certified: at most 2 s on 2 cores.
#include <benchmark/benchmark.h>

#include <thread>
#include <vector>

#include "hardware_model/channel.hpp"
#include "sns_example.hpp"
#include "security/optimise.hpp"

namespace {

using namespace tfqkd;
using security::Window;

security::ProtocolParameters protocol(bool aopp) {
    return hardware_model::testing::example_sns_protocol(1'000'000'000'000ULL, aopp);
}

// A realistic link: 0.2 dB/km, SNSPDs of efficiency 0.8 with 1e-10 dark counts per pulse,
// 3 % misalignment and 0.1 rad of residual phase noise (which makes the model integrate numerically).
hardware_model::Link link_at(double km) { return hardware_model::symmetric_link(km, 0.2, 0.8, 1e-10, 0.03, 0.1); }

security::SecurityParameters security_parameters() {
    security::SecurityParameters s;
    s.eps_total = 1e-8;
    return s;
}

void BM_CertifyGivenPoint(benchmark::State& state) {
    const auto p = protocol(state.range(0) != 0);
    const auto stats = *hardware_model::expected_statistics(p, link_at(300));
    for (auto _ : state) {
        auto key = security::sns_key_length(p, security_parameters(), stats, {});
        benchmark::DoNotOptimize(key);
    }
}
BENCHMARK(BM_CertifyGivenPoint)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_OptimisedCertifiedPoint(benchmark::State& state) {
    const auto link = link_at(static_cast<double>(state.range(0)));
    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
        return hardware_model::expected_statistics(q, link);
    };
    unsigned evaluations = 0;
    for (auto _ : state) {
        auto best = security::optimise_sns(protocol(state.range(1) != 0), security_parameters(), predict, {});
        evaluations = best ? best->evaluations : 0;
        benchmark::DoNotOptimize(best);
    }
    state.counters["evaluations"] = evaluations;
}
BENCHMARK(BM_OptimisedCertifiedPoint)
    ->ArgsProduct({{100, 300, 500}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

// The sweep split over two threads, as the CLI's sweep runs on a 2-core machine.
void BM_OptimisedSweep0To700Km(benchmark::State& state) {
    const unsigned threads = static_cast<unsigned>(state.range(0));
    const bool aopp = state.range(1) != 0;
    for (auto _ : state) {
        std::vector<std::thread> workers;
        for (unsigned t = 0; t < threads; ++t) {
            workers.emplace_back([t, threads, aopp] {
                for (int km = static_cast<int>(t) * 10; km <= 700; km += 10 * static_cast<int>(threads)) {
                    const auto link = link_at(km);
                    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
                        return hardware_model::expected_statistics(q, link);
                    };
                    auto best = security::optimise_sns(protocol(aopp), security_parameters(), predict, {});
                    benchmark::DoNotOptimize(best);
                }
            });
        }
        for (auto& w : workers) w.join();
    }
}
BENCHMARK(BM_OptimisedSweep0To700Km)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// PM-QKD (docs/security.md 7): certifying a given point, and one optimised certified point.
security::ProtocolParameters pm_protocol() {
    security::ProtocolParameters p;
    p.family = security::Family::pm;
    p.alice = {{Window::z, 0.05, 0.9}, {Window::x, 0.0, 0.04}, {Window::x, 0.01, 0.04}, {Window::x, 0.05, 0.02}};
    p.bob = p.alice;
    p.pulses = 10'000'000'000'000ULL;
    return p;
}

void BM_PmCertifyGivenPoint(benchmark::State& state) {
    const auto p = pm_protocol();
    const auto stats = *hardware_model::expected_statistics(p, link_at(300));
    for (auto _ : state) {
        auto key = security::pm_key_length(p, security_parameters(), stats, {});
        benchmark::DoNotOptimize(key);
    }
}
BENCHMARK(BM_PmCertifyGivenPoint)->Unit(benchmark::kMillisecond);

void BM_PmOptimisedCertifiedPoint(benchmark::State& state) {
    const auto link = link_at(static_cast<double>(state.range(0)));
    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
        return hardware_model::expected_statistics(q, link);
    };
    unsigned evaluations = 0;
    for (auto _ : state) {
        auto best = security::optimise_pm(pm_protocol(), security_parameters(), predict, {});
        evaluations = best ? best->evaluations : 0;
        benchmark::DoNotOptimize(best);
    }
    state.counters["evaluations"] = evaluations;
}
BENCHMARK(BM_PmOptimisedCertifiedPoint)->Arg(100)->Arg(300)->Unit(benchmark::kMillisecond);

// CAL19 (docs/security.md 8): certifying a given point, and one optimised certified point.
security::ProtocolParameters cal19_protocol() {
    security::ProtocolParameters p;
    p.family = security::Family::cal19;
    p.alice = {{Window::z, 0.02, 0.9}, {Window::x, 0.0, 0.03}, {Window::x, 0.1, 0.04}, {Window::x, 0.5, 0.03}};
    p.bob = p.alice;
    p.pulses = 10'000'000'000'000ULL;
    return p;
}

void BM_Cal19CertifyGivenPoint(benchmark::State& state) {
    const auto p = cal19_protocol();
    const auto stats = *hardware_model::expected_statistics(p, link_at(300));
    for (auto _ : state) {
        auto key = security::cal19_key_length(p, security_parameters(), stats, {});
        benchmark::DoNotOptimize(key);
    }
}
BENCHMARK(BM_Cal19CertifyGivenPoint)->Unit(benchmark::kMillisecond);

void BM_Cal19OptimisedCertifiedPoint(benchmark::State& state) {
    const auto link = link_at(static_cast<double>(state.range(0)));
    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
        return hardware_model::expected_statistics(q, link);
    };
    unsigned evaluations = 0;
    for (auto _ : state) {
        auto best = security::optimise_cal19(cal19_protocol(), security_parameters(), predict, {});
        evaluations = best ? best->evaluations : 0;
        benchmark::DoNotOptimize(best);
    }
    state.counters["evaluations"] = evaluations;
}
BENCHMARK(BM_Cal19OptimisedCertifiedPoint)->Arg(100)->Arg(300)->Unit(benchmark::kMillisecond);

// Mode pairing (docs/security.md 9): intensities {0, 0.1, 0.4}, M = 16, l = 1000.
security::ProtocolParameters mp_protocol() {
    security::ProtocolParameters p;
    p.family = security::Family::mode_pairing;
    p.alice = {{Window::z, 0.0, 0.3}, {Window::z, 0.1, 0.2}, {Window::z, 0.4, 0.5}};
    p.bob = p.alice;
    p.pulses = 10'000'000'000'000ULL;
    p.phase_slices = 16;
    p.max_pairing_interval = 1000;
    return p;
}

void BM_ModePairingCertifyGivenPoint(benchmark::State& state) {
    const auto p = mp_protocol();
    const auto stats = *hardware_model::expected_statistics(p, link_at(300));
    for (auto _ : state) {
        auto key = security::mode_pairing_key_length(p, security_parameters(), stats, {});
        benchmark::DoNotOptimize(key);
    }
}
BENCHMARK(BM_ModePairingCertifyGivenPoint)->Unit(benchmark::kMillisecond);

void BM_ModePairingOptimisedCertifiedPoint(benchmark::State& state) {
    const auto link = link_at(static_cast<double>(state.range(0)));
    const security::StatisticsPredictor predict = [&](const security::ProtocolParameters& q) {
        return hardware_model::expected_statistics(q, link);
    };
    unsigned evaluations = 0;
    for (auto _ : state) {
        auto best = security::optimise_mode_pairing(mp_protocol(), security_parameters(), predict, {});
        evaluations = best ? best->evaluations : 0;
        benchmark::DoNotOptimize(best);
    }
    state.counters["evaluations"] = evaluations;
}
BENCHMARK(BM_ModePairingOptimisedCertifiedPoint)->Arg(100)->Arg(300)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
