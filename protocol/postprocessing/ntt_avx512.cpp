// The AVX-512F path: sixteen words per vector. Compiled with a target attribute on every function
// of the region below (not a global -mavx512f), so that the library still runs on any x86-64 CPU and
// this code is only entered after cpu_has_avx512().
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ntt.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
// GCC 12's AVX-512 intrinsics build their "undefined" pass-through operand as `__m512i __Y = __Y;`,
// which -Wuninitialized reports in every caller (GCC bug 105593, fixed in GCC 13): silenced here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace tfqkd::pp::ntt {
namespace avx512 {

struct Ops {
    using V = __m512i;
    static constexpr std::size_t kLanes = 16;

    static V modulus() { return _mm512_set1_epi32(static_cast<int>(kModulus)); }
    static V load(const Word* p) { return _mm512_loadu_si512(p); }
    static void store(Word* p, V v) { _mm512_storeu_si512(p, v); }
    // Lane i's parity in bit i.
    static std::uint32_t parities(V v) { return _mm512_test_epi32_mask(v, _mm512_set1_epi32(1)); }
    static V zero() { return _mm512_setzero_si512(); }
    // Lane i is `one` if bit 15 - i of `bits` is set, else 0: one test into a mask, one masked move.
    static V from_bits(std::uint32_t bits, Word one) {
        const V lane_bits = _mm512_set_epi32(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
        const __mmask16 set = _mm512_test_epi32_mask(_mm512_set1_epi32(static_cast<int>(bits)), lane_bits);
        return _mm512_maskz_mov_epi32(set, _mm512_set1_epi32(static_cast<int>(one)));
    }
    // x mod p for x in [0, 2p): if x < p, x - p wraps above x and the minimum is x.
    static V reduce_once(V x) { return _mm512_min_epu32(x, _mm512_sub_epi32(x, modulus())); }
    // d + p if d, a difference of two words below p, wrapped below zero, else d: a wrapped d is at
    // least 2^32 - p > p while d + p (mod 2^32) is then below p, and an unwrapped d is below d + p,
    // so the minimum picks the right one. Two instructions instead of adding p and reducing (three).
    static V fix_difference(V d) { return _mm512_min_epu32(d, _mm512_add_epi32(d, modulus())); }
    static V add(V x, V y) { return reduce_once(_mm512_add_epi32(x, y)); }
    static V sub_lazy(V x, V y) { return _mm512_sub_epi32(_mm512_add_epi32(x, modulus()), y); }
    static V sub(V x, V y) { return fix_difference(_mm512_sub_epi32(x, y)); }

    // Montgomery product, as montgomery_multiply: the even lanes and the odd lanes each give eight
    // 64-bit products; the high halves of t - m p are merged back into one vector. The odd words
    // are moved down with vpshufd rather than a 64-bit shift: 512-bit shifts and multiplies share
    // port 0 on Intel cores, the shuffle runs on port 5, and port 0 is this loop's bottleneck.
    // The low halves of t and m p are equal, so the high half of the 64-bit difference t - m p is
    // hi(t) - hi(m p) mod 2^32, in (-p, p): one two-source permutation gathers the high halves of
    // the even and odd differences, and fix_difference brings the result into [0, p).
    static V odd_words_down(V x) { return _mm512_shuffle_epi32(x, static_cast<_MM_PERM_ENUM>(0xF5)); }
    static V high_halves() {
        // Lane 2i: word 2i + 1 of the even differences; lane 2i + 1: word 2i + 1 of the odd ones.
        return _mm512_set_epi32(31, 15, 29, 13, 27, 11, 25, 9, 23, 7, 21, 5, 19, 3, 17, 1);
    }
    static V mul(V a, V w) {
        const V p = modulus();
        const V p_inverse = _mm512_set1_epi32(static_cast<int>(kModulusInverse));
        const V t_even = _mm512_mul_epu32(a, w);
        const V t_odd = _mm512_mul_epu32(odd_words_down(a), odd_words_down(w));
        const V m_even = _mm512_mul_epu32(t_even, p_inverse);  // low 32 bits are m
        const V m_odd = _mm512_mul_epu32(t_odd, p_inverse);
        const V d_even = _mm512_sub_epi64(t_even, _mm512_mul_epu32(m_even, p));
        const V d_odd = _mm512_sub_epi64(t_odd, _mm512_mul_epu32(m_odd, p));
        return fix_difference(_mm512_permutex2var_epi32(d_even, high_halves(), d_odd));
    }

    // Layers with half 8, 4, 2, 1 pair words of the same 32-word block held in two vectors A
    // (words 0..15) and B (16..31). For each layer, a two-source permutation gathers the first words
    // of the pairs into X and their partners into Y, and one vector butterfly runs. Between two
    // layers, the scatter back to (A, B) and the next gather are composed into one permutation per
    // vector, so four layers cost ten permutations instead of sixteen.
    struct InVector {
        V gather_x[4], gather_y[4], scatter_a[4], scatter_b[4], twiddle[4];
        // next_*[level]: from (X, Y) of `level` to (X, Y) of level + 1 (forward order);
        // previous_*[level]: from (X, Y) of `level` to (X, Y) of level - 1 (inverse order).
        V next_x[4], next_y[4], previous_x[4], previous_y[4];
        explicit InVector(const Word* tw) {
            Word gx[4][16], gy[4][16], sa[4][16], sb[4][16], w[4][16];
            for (unsigned level = 0; level < 4; ++level) {
                const unsigned half = 8U >> level;
                for (unsigned lane = 0; lane < 16; ++lane) {
                    const unsigned word = (lane / half) * 2 * half + lane % half;
                    gx[level][lane] = word;
                    gy[level][lane] = word + half;
                    w[level][lane] = tw[half + lane % half];
                }
                for (unsigned word = 0; word < 32; ++word) {
                    const unsigned offset = word % (2 * half);
                    const unsigned lane = (word / (2 * half)) * half + offset % half;
                    const Word source = offset < half ? lane : 16 + lane;
                    (word < 16 ? sa[level][word] : sb[level][word - 16]) = source;
                }
            }
            // gather(to) after scatter(from): lane q takes word g[q] of (A, B), which scatter put
            // there from position s[g[q]] of (X, Y).
            const auto compose = [&](unsigned from, const Word* gather, V& out) {
                alignas(64) Word composed[16];
                for (unsigned lane = 0; lane < 16; ++lane)
                    composed[lane] = gather[lane] < 16 ? sa[from][gather[lane]] : sb[from][gather[lane] - 16];
                out = _mm512_load_si512(composed);
            };
            for (unsigned level = 0; level < 4; ++level) {
                gather_x[level] = _mm512_loadu_si512(gx[level]);
                gather_y[level] = _mm512_loadu_si512(gy[level]);
                scatter_a[level] = _mm512_loadu_si512(sa[level]);
                scatter_b[level] = _mm512_loadu_si512(sb[level]);
                twiddle[level] = _mm512_loadu_si512(w[level]);
                if (level + 1 < 4) {
                    compose(level, gx[level + 1], next_x[level]);
                    compose(level, gy[level + 1], next_y[level]);
                }
                if (level > 0) {
                    compose(level, gx[level - 1], previous_x[level]);
                    compose(level, gy[level - 1], previous_y[level]);
                }
            }
        }
    };

    // Inline (defined below, after the butterflies): called once per 2 vectors, so a call through
    // the shared library's PLT and reloading the permutation constants each time would cost more
    // than the work.
    [[gnu::always_inline]] static inline void dif_in_vector(Word* block, const InVector& iv);
    [[gnu::always_inline]] static inline void dit_in_vector(Word* block, const InVector& iv);
};

#include "ntt_kernel.inc"

inline void Ops::dif_in_vector(Word* block, const InVector& iv) {
    const V a = load(block);
    const V b = load(block + 16);
    V x = _mm512_permutex2var_epi32(a, iv.gather_x[0], b);
    V y = _mm512_permutex2var_epi32(a, iv.gather_y[0], b);
    for (unsigned level = 0; level < 4; ++level) {
        dif_butterfly<Ops>(x, y, iv.twiddle[level]);
        if (level + 1 < 4) {
            const V next_x = _mm512_permutex2var_epi32(x, iv.next_x[level], y);
            y = _mm512_permutex2var_epi32(x, iv.next_y[level], y);
            x = next_x;
        }
    }
    store(block, _mm512_permutex2var_epi32(x, iv.scatter_a[3], y));
    store(block + 16, _mm512_permutex2var_epi32(x, iv.scatter_b[3], y));
}

inline void Ops::dit_in_vector(Word* block, const InVector& iv) {
    const V a = load(block);
    const V b = load(block + 16);
    V x = _mm512_permutex2var_epi32(a, iv.gather_x[3], b);
    V y = _mm512_permutex2var_epi32(a, iv.gather_y[3], b);
    for (unsigned level = 4; level-- > 0;) {
        dit_butterfly<Ops>(x, y, iv.twiddle[level]);
        if (level > 0) {
            const V previous_x = _mm512_permutex2var_epi32(x, iv.previous_x[level], y);
            y = _mm512_permutex2var_epi32(x, iv.previous_y[level], y);
            x = previous_x;
        }
    }
    store(block, _mm512_permutex2var_epi32(x, iv.scatter_a[0], y));
    store(block + 16, _mm512_permutex2var_epi32(x, iv.scatter_b[0], y));
}

}  // namespace avx512
}  // namespace tfqkd::pp::ntt

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

namespace tfqkd::pp::ntt {

// Outside the target region: this runs on any CPU, and only hands out the entry points.
const Kernels& avx512_kernels() noexcept {
    static const Kernels kernels{"avx512", &avx512::forward_transform<avx512::Ops>,
                                 &avx512::inverse_transform<avx512::Ops>, &avx512::multiply<avx512::Ops>,
                                 &avx512::convolve<avx512::Ops>,
                                 &avx512::forward_bits<avx512::Ops>, &avx512::convolve_bits<avx512::Ops>,
                                 &avx512::convolve_bits_parities<avx512::Ops>,
                                 &avx512::inverse_parities<avx512::Ops>};
    return kernels;
}

}  // namespace tfqkd::pp::ntt
