// Toeplitz hashing by carry-less polynomial multiplication in GF(2)[z]: an exact alternative to the
// number-theoretic transform, for CPUs with PCLMULQDQ (and, faster, VPCLMULQDQ with AVX-512F).
// docs/postprocessing.md, "Privacy amplification", describes the algorithm and why it is exact.
//
// Bits are held 64 to a word, bit t of word w being coefficient 64 w + t (the packed strings hold
// them most significant bit first in each byte, so loading reverses the bits of each byte).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/bytes.hpp"

namespace tfqkd::pp::clmul {

using Limb = std::uint64_t;

// The recursion's base case handles N words with kBaseMin <= N < 2 kBaseMin; every product size is
// kBaseMin..2 kBaseMin - 1 times a power of two.
inline constexpr std::uint64_t kBaseMin = 16;

// The smallest size of the form m 2^r (kBaseMin <= m < 2 kBaseMin) that is at least v: at most
// 1/kBaseMin more than v.
constexpr std::uint64_t round_up_size(std::uint64_t v) noexcept {
    if (v <= kBaseMin) return kBaseMin;
    unsigned r = 0;
    while (((v + (std::uint64_t{1} << r) - 1) >> r) >= 2 * kBaseMin) ++r;
    return ((v + (std::uint64_t{1} << r) - 1) >> r) << r;
}

// How y = T x is cut (docs/postprocessing.md): with x' = x z^d, d making n - 1 + d = 64 q, output
// bit i is coefficient 64 q + i of s x', i.e. bit i of words q, q + 1, ... of the product. The
// input words are cut into `chunks` chunks of `size` words; each contributes a middle product of
// 2 size - 1 seed words and its size words to the product words q - 1 .. q - 1 + size.
struct Plan {
    std::uint64_t size = 0;        // N, words per chunk and per middle product
    std::uint64_t chunks = 0;      // C
    std::uint64_t q = 0;           // the first output word of the product
    unsigned shift = 0;            // d
    std::uint64_t seed_words = 0;  // the seed and its zero padding: N zeros in front
    std::uint64_t work_words = 0;  // all the work memory
};

inline Plan plan(std::uint64_t n, std::uint64_t l) noexcept {
    Plan p;
    p.shift = static_cast<unsigned>((64 - (n - 1) % 64) % 64);
    p.q = (n - 1 + p.shift) / 64;
    const std::uint64_t input_words = p.q + 1;
    const std::uint64_t output_words = (l + 63) / 64;
    // One middle product yields size - 1 exact words (its first word lacks a carry from below), so
    // size >= output words + 1; chunks of about that size cost least (fewer, larger products cost
    // more: Karatsuba's time grows faster than the size).
    const std::uint64_t minimum = output_words + 1;
    const std::uint64_t chunks = (input_words + minimum - 1) / minimum;
    p.size = round_up_size(std::max(minimum, (input_words + chunks - 1) / chunks));
    p.chunks = (input_words + p.size - 1) / p.size;
    const std::uint64_t seed_bits = n + l - 1;
    p.seed_words = p.size + std::max((seed_bits + 63) / 64, p.q + 2 * p.size);
    // seed, input chunks, sum and one product (size + 1 each), the recursion's scratch (< 4 size).
    p.work_words = p.seed_words + p.chunks * p.size + 2 * (p.size + 1) + 4 * p.size + 64;
    return p;
}

struct Kernels {
    const char* name;
    // The l bits of y = T x written to `out` (ceil(l / 8) bytes, padding bits zero), with
    // plan(n, l).work_words words of `work`, which is left holding key-derived words (the caller wipes).
    void (*toeplitz)(const Byte* seed, const Byte* input, std::uint64_t n, std::uint64_t l, Byte* out, Limb* work);
};

// Defined on x86-64 builds only; call them only when the CPU has the extension.
const Kernels& pclmul_kernels() noexcept;
const Kernels& vpclmul_kernels() noexcept;

bool cpu_has_pclmul() noexcept;
bool cpu_has_vpclmul() noexcept;  // VPCLMULQDQ and AVX-512F

}  // namespace tfqkd::pp::clmul
