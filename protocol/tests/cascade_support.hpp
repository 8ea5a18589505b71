// Helpers shared by the Cascade tests and benchmark: random key pairs at a given QBER, and a driver
// that runs the two roles against each other in one thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "base/bits.hpp"
#include "base/rng.hpp"
#include "protocol/cascade.hpp"

namespace tfqkd::cascade_support {

// A reference key of n uniform bits and a noisy copy in which each bit is flipped with probability
// qber (a binary symmetric channel), both from `seed`.
struct KeyPair {
    PackedBits reference;
    PackedBits noisy;
    std::uint64_t errors = 0;
};

inline KeyPair make_key_pair(std::uint64_t n, double qber, std::uint64_t seed) {
    const CounterRng bits(seed, 1);
    const CounterRng noise(seed, 2);
    KeyPair pair{PackedBits(n), PackedBits(n), 0};
    for (std::uint64_t i = 0; i < n; ++i) {
        const bool bit = (bits.at(i / 64) >> (i % 64) & 1U) != 0;
        const bool flipped = uniform_at(noise, i) < qber;
        pair.reference.set(i, bit);
        pair.noisy.set(i, bit != flipped);
        if (flipped) ++pair.errors;
    }
    return pair;
}

// Number of positions where a and b differ (a.size() == b.size()).
inline std::uint64_t differing_bits(const PackedBits& a, const PackedBits& b) {
    std::uint64_t count = 0;
    for (std::uint64_t i = 0; i < a.size(); ++i) count += a.get(i) != b.get(i) ? 1U : 0U;
    return count;
}

// Binary entropy h(p) in bits (Shannon 1948), h(0) = 0.
inline double binary_entropy(double p) {
    if (p <= 0.0 || p >= 1.0) return 0.0;
    return -p * std::log2(p) - (1 - p) * std::log2(1 - p);
}

struct RunResult {
    PackedBits corrected;
    std::uint64_t corrector_disclosed = 0;
    std::uint64_t responder_disclosed = 0;
    std::uint64_t round_trips = 0;
    std::uint64_t corrected_bits = 0;
};

// Runs both roles on the typed fast path until the corrector finishes; throws on any error (the
// callers are tests and benchmarks, where an error is a failure to report).
inline RunResult run_cascade(const protocol::CascadeConfig& config, const PackedBits& reference,
                             const PackedBits& noisy) {
    auto responder = protocol::CascadeResponder::create(config, reference);
    auto corrector = protocol::CascadeCorrector::create(config, noisy);
    if (!responder || !corrector) throw std::runtime_error("cascade: create failed");
    while (corrector->state() == protocol::ReconciliationState::running) {
        for (const wire::CascadeParityQuery& query : corrector->take_queries()) {
            auto reply = responder->answer(query);
            if (!reply) throw std::runtime_error(reply.error().to_string());
            if (Status s = corrector->receive_reply(*reply); !s) throw std::runtime_error(s.error().to_string());
        }
    }
    auto key = corrector->corrected_key();
    if (!key) throw std::runtime_error(key.error().to_string());
    return RunResult{std::move(key).value(), corrector->disclosed_bits(), responder->disclosed_bits(),
                     corrector->round_trips(), corrector->corrected_bits()};
}

}  // namespace tfqkd::cascade_support
