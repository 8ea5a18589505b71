// Post-processing benchmarks (Google Benchmark). The targets, on one core:
//   privacy amplification >= 100 Mbit/s of input at 10^7-bit blocks;
//   verification hash >= 1 GB/s.
// Run: build/protocol/bench/postprocessing_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "base/rng.hpp"
#include "protocol/postprocessing/authentication.hpp"
#include "protocol/postprocessing/poly_hash.hpp"
#include "protocol/postprocessing/toeplitz.hpp"

namespace {

using namespace tfqkd;
using namespace tfqkd::pp;

PackedBits random_bits(std::uint64_t size, std::uint64_t seed) {
    CounterRng rng(seed);
    PackedBits bits(size);
    // Whole random bytes (the padding of the last byte cleared by resize).
    Bytes bytes(PackedBits::byte_count(size));
    for (Byte& b : bytes) b = static_cast<Byte>(rng.next());
    for (std::uint64_t i = 0; i < size; ++i) bits.set(i, ((bytes[i / 8] >> (7 - i % 8)) & 1U) != 0);
    return bits;
}

// Arguments: input bits n, output fraction l/n in percent, path.
void BM_PrivacyAmplification(benchmark::State& state) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    const auto l = n * static_cast<std::uint64_t>(state.range(1)) / 100;
    const auto path = static_cast<NttPath>(state.range(2));
    if (!ntt_path_supported(path)) {
        state.SkipWithError("path not supported on this CPU");
        return;
    }
    const SecretBits input = SecretBits::copy_of(random_bits(n, 1));
    const PackedBits seed = random_bits(n + l - 1, 2);
    ToeplitzHasher hasher({path, 27});
    // One untimed block: twiddle tables and the first touch of the work memory.
    if (!hasher.hash(seed, input, l)) state.SkipWithError("hash failed");
    for (auto _ : state) {
        Result<SecretBits> y = hasher.hash(seed, input, l);
        benchmark::DoNotOptimize(y);
    }
    state.counters["input_Mbit_per_s"] = benchmark::Counter(
        static_cast<double>(n) * static_cast<double>(state.iterations()) / 1e6, benchmark::Counter::kIsRate);
    state.SetLabel(std::string(ntt_path_name(path)) + " l/n=" + std::to_string(state.range(1)) + "%");
}
BENCHMARK(BM_PrivacyAmplification)
    ->ArgsProduct({{1'000'000, 10'000'000}, {10, 50}, {static_cast<long>(NttPath::avx512), static_cast<long>(NttPath::avx2), static_cast<long>(NttPath::scalar)}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_PrivacyAmplification)
    ->Args({100'000'000, 50, static_cast<long>(NttPath::avx512)})
    ->Args({100'000'000, 10, static_cast<long>(NttPath::avx512)})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
// The carry-less paths (clmul.hpp). Timed in CPU time, which the rate counter then divides by:
// on a shared machine it varies less than the wall clock.
BENCHMARK(BM_PrivacyAmplification)
    ->ArgsProduct({{1'000'000, 10'000'000, 100'000'000}, {10, 50},
                   {static_cast<long>(NttPath::clmul_avx512), static_cast<long>(NttPath::clmul)}})
    ->Unit(benchmark::kMillisecond);

// Verification hash over a key of range(0) bytes; bytes_per_second is the throughput.
void BM_PolyHash128(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const auto path = static_cast<HashPath>(state.range(1));
    if (!hash_path_supported(path)) {
        state.SkipWithError("path not supported on this CPU");
        return;
    }
    CounterRng rng(3);
    Bytes data(size);
    for (Byte& b : data) b = static_cast<Byte>(rng.next());
    PolyHashKey key{};
    for (Byte& b : key) b = static_cast<Byte>(rng.next());
    for (auto _ : state) {
        PolyHashValue h = poly_hash_128(key, data, 8 * static_cast<std::uint64_t>(size), path);
        benchmark::DoNotOptimize(h);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
    state.SetLabel(path == HashPath::pclmul ? "pclmul" : "portable");
}
BENCHMARK(BM_PolyHash128)
    ->Args({1 << 20, static_cast<long>(HashPath::pclmul)})
    ->Args({12'500'000, static_cast<long>(HashPath::pclmul)})
    ->Args({1 << 20, static_cast<long>(HashPath::portable)});

// Wegman-Carter: tag a frame of range(0) bytes, debiting 256 pool bits per tag.
void BM_AuthenticationTag(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    CounterRng rng(4);
    Bytes frame(size);
    for (Byte& b : frame) b = static_cast<Byte>(rng.next());
    constexpr std::uint64_t kTagsPerRefill = 4096;
    const SecretBits refill = SecretBits::copy_of(random_bits(kTagsPerRefill * kAuthenticationBitsPerTag, 5));
    KeyPool pool;
    for (auto _ : state) {
        if (pool.available_bits() < kAuthenticationBitsPerTag) {
            state.PauseTiming();
            pool.replenish(refill);
            state.ResumeTiming();
        }
        Result<wire::Tag> tag = authentication_tag(frame, pool);
        benchmark::DoNotOptimize(tag);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
    state.counters["tags_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AuthenticationTag)->Arg(64)->Arg(1500)->Arg(1 << 20);

}  // namespace

BENCHMARK_MAIN();
