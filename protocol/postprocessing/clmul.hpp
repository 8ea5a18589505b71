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

// Every middle product has N = m 2^r words: r Karatsuba levels down to a schoolbook base case of
// m words, kMinBase <= m < kMaxBase. For a needed size v, the (m, r) of least estimated cost:
// 3^r base cases, each of `wide` ? 2 m ceil(m / 8) (VPCLMULQDQ, eight products per two
// instructions) : m^2 (PCLMULQDQ) carry-less multiplies, plus a call and the Karatsuba additions
// (about 30 + 2 m). Rounding up wastes at most 1/16.
inline constexpr std::uint64_t kMinBase = 16;
inline constexpr std::uint64_t kMaxBase = 64;

struct Size {
    std::uint64_t words = 0;  // N
    std::uint64_t base = 0;   // m
};

constexpr Size choose_size(std::uint64_t v, bool wide) noexcept {
    Size best;
    double best_cost = 0;
    double calls = 1;
    for (unsigned r = 0; r < 40; ++r, calls *= 3) {
        const std::uint64_t m = std::max(kMinBase, (v + (std::uint64_t{1} << r) - 1) >> r);
        if (m >= kMaxBase) continue;
        const double per_call = static_cast<double>(wide ? 2 * m * ((m + 7) / 8) : m * m) + 30.0 + 2.0 * static_cast<double>(m);
        const double cost = calls * per_call;
        if (best.words == 0 || cost < best_cost) {
            best = {m << r, m};
            best_cost = cost;
        }
        if (m == kMinBase) break;  // smaller bases would only add levels
    }
    return best;
}

// How y = T x is cut (docs/postprocessing.md): with x' = x z^d, d making n - 1 + d = 64 q, output
// bit i is coefficient 64 q + i of s x', i.e. bit i of words q, q + 1, ... of the product. The
// input words are cut into `chunks` chunks of `size` words; each contributes a middle product of
// 2 size - 1 seed words and its size words to the product words q - 1 .. q - 1 + size.
struct Plan {
    std::uint64_t size = 0;        // N, words per chunk and per middle product
    std::uint64_t base = 0;        // m, the words of the schoolbook base case
    std::uint64_t chunks = 0;      // C
    std::uint64_t q = 0;           // the first output word of the product
    unsigned shift = 0;            // d
    std::uint64_t seed_words = 0;  // the seed and its zero padding: N zeros in front
    std::uint64_t work_words = 0;  // all the work memory
};

inline Plan plan(std::uint64_t n, std::uint64_t l, bool wide) noexcept {
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
    const Size size = choose_size(std::max(minimum, (input_words + chunks - 1) / chunks), wide);
    p.size = size.words;
    p.base = size.base;
    p.chunks = (input_words + p.size - 1) / p.size;
    const std::uint64_t seed_bits = n + l - 1;
    p.seed_words = p.size + std::max((seed_bits + 63) / 64, p.q + 2 * p.size);
    // seed, input chunks, sum and one product (size + 1 each), the recursion's scratch (< 4 size).
    p.work_words = p.seed_words + p.chunks * p.size + 2 * (p.size + 1) + 4 * p.size + 64;
    return p;
}

struct Kernels {
    const char* name;
    bool wide;  // plan(n, l, wide) is the plan of toeplitz()
    // The l bits of y = T x written to `out` (ceil(l / 8) bytes, padding bits zero), with
    // plan(n, l, wide).work_words words of `work`, which is left holding key-derived words (the caller wipes).
    void (*toeplitz)(const Byte* seed, const Byte* input, std::uint64_t n, std::uint64_t l, Byte* out, Limb* work);
};

// Defined on x86-64 builds only; call them only when the CPU has the extension.
const Kernels& pclmul_kernels() noexcept;
const Kernels& vpclmul_kernels() noexcept;

bool cpu_has_pclmul() noexcept;
bool cpu_has_vpclmul() noexcept;  // VPCLMULQDQ and AVX-512F

}  // namespace tfqkd::pp::clmul
