// A counter-based pseudo-random generator: the n-th output of a stream is a pure function of
// (seed, stream, n), so any slot's random choices can be recomputed without replaying the stream,
// and every run reproduces from the seed it prints.
//
// The mixing function is SplitMix64's finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom
// number generators", OOPSLA 2014) applied to a Weyl sequence; it is statistically good and fast,
// and NOT cryptographic: use it for simulation and test data, never for keys, seeds of privacy
// amplification or authentication.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace tfqkd {

class CounterRng {
public:
    explicit CounterRng(std::uint64_t seed, std::uint64_t stream = 0) noexcept
        : key_(mix(seed ^ mix(stream + 0x9E3779B97F4A7C15ULL))) {}

    // The n-th output, independent of any other call.
    std::uint64_t at(std::uint64_t n) const noexcept { return mix(key_ + (n + 1) * 0x9E3779B97F4A7C15ULL); }

    std::uint64_t next() noexcept { return at(counter_++); }

    // Uniform in [0, bound), bound > 0 (Lemire's multiply-shift; the bias is below 2^-64 * bound).
    std::uint64_t below(std::uint64_t bound) noexcept {
        __extension__ using u128 = unsigned __int128;  // GCC and Clang; -Wpedantic wants it marked
        return static_cast<std::uint64_t>((static_cast<u128>(next()) * bound) >> 64);
    }

    // Uniform in [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    std::uint64_t position() const noexcept { return counter_; }

private:
    static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    std::uint64_t key_;
    std::uint64_t counter_ = 0;
};

// --- free functions of (generator, index): pure functions of (seed, stream, n) ------------------

// Uniform in [0, 1) with 53 random bits, from output n.
inline double uniform_at(const CounterRng& rng, std::uint64_t n) noexcept {
    return static_cast<double>(rng.at(n) >> 11) * 0x1.0p-53;
}

// Uniform in (0, 1] with 53 random bits, from output n (never 0: safe under a logarithm).
inline double uniform_open_at(const CounterRng& rng, std::uint64_t n) noexcept {
    return static_cast<double>((rng.at(n) >> 11) + 1) * 0x1.0p-53;
}

// A standard normal variate for index n, by the Box-Muller transform (Box and Muller, Ann. Math.
// Stat. 29, 610 (1958)) of the two 32-bit halves of output n: one output per variate, so every
// n in [0, 2^64) has its own variate (no index overflows or shares outputs with another). The
// radius uniform lies in (0, 1] with 32 bits, so |z| <= sqrt(64 ln 2) = 6.66: the tail beyond,
// of probability 2.7e-11, is not produced; the angle has 32 bits.
inline double gaussian_at(const CounterRng& rng, std::uint64_t n) noexcept {
    const std::uint64_t x = rng.at(n);
    const double u = static_cast<double>((x >> 32) + 1) * 0x1.0p-32;          // (0, 1]
    const double v = static_cast<double>(x & 0xFFFF'FFFFULL) * 0x1.0p-32;     // [0, 1)
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
}

}  // namespace tfqkd
