// Wire-format benchmarks (Google Benchmark). The target: decoding a detection report of 10^6
// events at 500 MB/s of input or more on one core. Reported as bytes_per_second of encoded input.
#include <benchmark/benchmark.h>

#include "base/rng.hpp"
#include "protocol/wire/frame.hpp"

namespace {

using namespace tfqkd;
using namespace tfqkd::wire;

// A report whose gaps follow a heralding probability per slot, so that the varint lengths are those
// of a real link: 10^-6 (about 3-byte events, a long link) or 10^-2 (1-2 bytes, a short one).
DetectionReport make_report(std::size_t events, double herald_probability) {
    CounterRng rng(2026);
    DetectionReport m;
    m.first_slot = 0;
    m.slot_count = kMaxSlot;
    std::uint64_t slot = 0;
    const auto mean_gap = static_cast<std::uint64_t>(1.0 / herald_probability);
    for (std::size_t i = 0; i < events; ++i) {
        slot += rng.below(2 * mean_gap);
        m.slots.push_back(slot++);
        m.clicks.push_back(static_cast<DetectionReport::Click>(1 + rng.below(2)));
    }
    return m;
}

void BM_DecodeDetectionReport(benchmark::State& state) {
    const double herald = state.range(1) == 6 ? 1e-6 : 1e-2;
    const Bytes payload = *encode_payload(make_report(static_cast<std::size_t>(state.range(0)), herald));
    for (auto _ : state) {
        Result<DetectionReport> m = decode_payload<DetectionReport>(payload);
        if (!m) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(m);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(payload.size()));
    state.counters["bytes_per_event"] = static_cast<double>(payload.size()) / static_cast<double>(state.range(0));
    state.counters["events_per_second"] =
        benchmark::Counter(static_cast<double>(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DecodeDetectionReport)->Args({1'000'000, 6})->Args({1'000'000, 2})->Unit(benchmark::kMillisecond);

void BM_EncodeDetectionReport(benchmark::State& state) {
    const DetectionReport m = make_report(static_cast<std::size_t>(state.range(0)), 1e-6);
    std::size_t size = 0;
    for (auto _ : state) {
        Result<Bytes> bytes = encode_payload(m);
        size = bytes->size();
        benchmark::DoNotOptimize(bytes);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
}
BENCHMARK(BM_EncodeDetectionReport)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_DecodeFrame(benchmark::State& state) {
    const FrameHeader header{MessageType::detection_report, Role::charlie, Role::alice, 1, 0};
    const Bytes frame = *encode_frame_message(header, Message(make_report(static_cast<std::size_t>(state.range(0)), 1e-6)));
    for (auto _ : state) {
        Result<DecodedFrame> f = decode_frame_message(frame);
        if (!f) state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(f);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}
BENCHMARK(BM_DecodeFrame)->Arg(1'000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
