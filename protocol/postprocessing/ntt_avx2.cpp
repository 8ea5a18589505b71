// The AVX2 path: eight words per vector, for x86-64 CPUs without AVX-512. Compiled with a target
// attribute region (not a global -mavx2) and entered only after cpu_has_avx2().
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ntt.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace tfqkd::pp::ntt {
namespace avx2 {

struct Ops {
    using V = __m256i;
    static constexpr std::size_t kLanes = 8;

    static V modulus() { return _mm256_set1_epi32(static_cast<int>(kModulus)); }
    static V load(const Word* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
    static void store(Word* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
    // Lane i's parity in bit i: the low bit moved to the sign, then the signs gathered.
    static std::uint32_t parities(V v) {
        return static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_slli_epi32(v, 31))));
    }
    static V zero() { return _mm256_setzero_si256(); }
    // Lane i is `one` if bit 7 - i of `bits` is set, else 0.
    static V from_bits(std::uint32_t bits, Word one) {
        const V lane_bits = _mm256_setr_epi32(128, 64, 32, 16, 8, 4, 2, 1);
        const V set = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(static_cast<int>(bits)), lane_bits), lane_bits);
        return _mm256_and_si256(set, _mm256_set1_epi32(static_cast<int>(one)));
    }
    static V reduce_once(V x) { return _mm256_min_epu32(x, _mm256_sub_epi32(x, modulus())); }
    static V add(V x, V y) { return reduce_once(_mm256_add_epi32(x, y)); }
    static V sub_lazy(V x, V y) { return _mm256_sub_epi32(_mm256_add_epi32(x, modulus()), y); }
    // See the AVX-512 path: d + p if the difference d of two words below p wrapped, else d.
    static V fix_difference(V d) { return _mm256_min_epu32(d, _mm256_add_epi32(d, modulus())); }
    static V sub(V x, V y) { return fix_difference(_mm256_sub_epi32(x, y)); }

    // Montgomery product; see the AVX-512 path for the lane bookkeeping.
    static V mul(V a, V w) {
        const V p = modulus();
        const V p_inverse = _mm256_set1_epi32(static_cast<int>(kModulusInverse));
        const V t_even = _mm256_mul_epu32(a, w);
        const V t_odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(w, 32));
        const V m_even = _mm256_mul_epu32(t_even, p_inverse);
        const V m_odd = _mm256_mul_epu32(t_odd, p_inverse);
        const V d_even = _mm256_sub_epi64(t_even, _mm256_mul_epu32(m_even, p));
        const V d_odd = _mm256_sub_epi64(t_odd, _mm256_mul_epu32(m_odd, p));
        const V r = _mm256_blend_epi32(_mm256_srli_epi64(d_even, 32), d_odd, 0xAA);
        return fix_difference(r);
    }

    // Layers with half 4, 2, 1 inside a 16-word block held in A (words 0..7) and B (8..15). The
    // shuffles that split A and B into first words (X) and partners (Y), and their inverses:
    //   half 4: X = [A0..3 B0..3], Y = [A4..7 B4..7] (128-bit lane swaps);
    //   half 2: X = [A0 A1 B0 B1 A4 A5 B4 B5], Y = [A2 A3 B2 B3 A6 A7 B6 B7] (64-bit unpacks);
    //   half 1: X = [A0 A2 B0 B2 A4 A6 B4 B6], Y = [A1 A3 B1 B3 A5 A7 B5 B7] (shufps; 32-bit unpacks back).
    // The twiddle of an X lane is that of its word's position in its block of 2 * half words.
    struct InVector {
        V twiddle[3];
        explicit InVector(const Word* tw) {
            twiddle[0] = _mm256_setr_epi32(static_cast<int>(tw[4]), static_cast<int>(tw[5]), static_cast<int>(tw[6]),
                                           static_cast<int>(tw[7]), static_cast<int>(tw[4]), static_cast<int>(tw[5]),
                                           static_cast<int>(tw[6]), static_cast<int>(tw[7]));
            twiddle[1] = _mm256_setr_epi32(static_cast<int>(tw[2]), static_cast<int>(tw[3]), static_cast<int>(tw[2]),
                                           static_cast<int>(tw[3]), static_cast<int>(tw[2]), static_cast<int>(tw[3]),
                                           static_cast<int>(tw[2]), static_cast<int>(tw[3]));
            twiddle[2] = _mm256_set1_epi32(static_cast<int>(tw[1]));
        }
    };

    static void split(unsigned level, V a, V b, V& x, V& y) {
        switch (level) {
            case 0:
                x = _mm256_permute2x128_si256(a, b, 0x20);
                y = _mm256_permute2x128_si256(a, b, 0x31);
                return;
            case 1:
                x = _mm256_unpacklo_epi64(a, b);
                y = _mm256_unpackhi_epi64(a, b);
                return;
            default: {
                const __m256 fa = _mm256_castsi256_ps(a);
                const __m256 fb = _mm256_castsi256_ps(b);
                x = _mm256_castps_si256(_mm256_shuffle_ps(fa, fb, 0x88));
                y = _mm256_castps_si256(_mm256_shuffle_ps(fa, fb, 0xDD));
                return;
            }
        }
    }
    static void join(unsigned level, V x, V y, V& a, V& b) {
        switch (level) {
            case 0:
                a = _mm256_permute2x128_si256(x, y, 0x20);
                b = _mm256_permute2x128_si256(x, y, 0x31);
                return;
            case 1:
                a = _mm256_unpacklo_epi64(x, y);
                b = _mm256_unpackhi_epi64(x, y);
                return;
            default:
                a = _mm256_unpacklo_epi32(x, y);
                b = _mm256_unpackhi_epi32(x, y);
                return;
        }
    }

    // Inline (defined below, after the butterflies): called once per 2 vectors, so a call through
    // the shared library's PLT and reloading the permutation constants each time would cost more
    // than the work.
    [[gnu::always_inline]] static inline void dif_in_vector(Word* block, const InVector& iv);
    [[gnu::always_inline]] static inline void dit_in_vector(Word* block, const InVector& iv);
};

#include "ntt_kernel.inc"

inline void Ops::dif_in_vector(Word* block, const InVector& iv) {
    V a = load(block);
    V b = load(block + 8);
    for (unsigned level = 0; level < 3; ++level) {
        V x, y;
        split(level, a, b, x, y);
        dif_butterfly<Ops>(x, y, iv.twiddle[level]);
        join(level, x, y, a, b);
    }
    store(block, a);
    store(block + 8, b);
}

inline void Ops::dit_in_vector(Word* block, const InVector& iv) {
    V a = load(block);
    V b = load(block + 8);
    for (unsigned level = 3; level-- > 0;) {
        V x, y;
        split(level, a, b, x, y);
        dit_butterfly<Ops>(x, y, iv.twiddle[level]);
        join(level, x, y, a, b);
    }
    store(block, a);
    store(block + 8, b);
}

}  // namespace avx2
}  // namespace tfqkd::pp::ntt

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace tfqkd::pp::ntt {

// Outside the target region: this runs on any CPU, and only hands out the entry points.
const Kernels& avx2_kernels() noexcept {
    static const Kernels kernels{"avx2", &avx2::forward_transform<avx2::Ops>, &avx2::inverse_transform<avx2::Ops>,
                                 &avx2::multiply<avx2::Ops>,
                                 &avx2::convolve<avx2::Ops>,
                                 &avx2::forward_bits<avx2::Ops>, &avx2::convolve_bits<avx2::Ops>,
                                 &avx2::convolve_bits_parities<avx2::Ops>,
                                 &avx2::inverse_parities<avx2::Ops>};
    return kernels;
}

}  // namespace tfqkd::pp::ntt
