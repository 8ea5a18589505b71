// The AVX-512F path: sixteen words per vector. Compiled with a target attribute on every function
// of the region below (not a global -mavx512f), so that the library still runs on any x86-64 CPU and
// this code is only entered after cpu_has_avx512().
#include <immintrin.h>

#include <cstddef>

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
    // x mod p for x in [0, 2p): if x < p, x - p wraps above x and the minimum is x.
    static V reduce_once(V x) { return _mm512_min_epu32(x, _mm512_sub_epi32(x, modulus())); }
    static V add(V x, V y) { return reduce_once(_mm512_add_epi32(x, y)); }
    static V sub_lazy(V x, V y) { return _mm512_sub_epi32(_mm512_add_epi32(x, modulus()), y); }
    static V sub(V x, V y) { return reduce_once(sub_lazy(x, y)); }

    // Montgomery product, as montgomery_multiply: the even lanes and the odd lanes (shifted down)
    // each give eight 64-bit products; the high halves of t - m p are merged back into one vector.
    static V mul(V a, V w) {
        const V p = modulus();
        const V p_inverse = _mm512_set1_epi32(static_cast<int>(kModulusInverse));
        const V t_even = _mm512_mul_epu32(a, w);
        const V t_odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(w, 32));
        const V m_even = _mm512_mul_epu32(t_even, p_inverse);  // low 32 bits are m
        const V m_odd = _mm512_mul_epu32(t_odd, p_inverse);
        const V d_even = _mm512_sub_epi64(t_even, _mm512_mul_epu32(m_even, p));
        const V d_odd = _mm512_sub_epi64(t_odd, _mm512_mul_epu32(m_odd, p));
        // Odd lanes: the high half of d_odd is already in place; even lanes: shift d_even down.
        const V r = _mm512_mask_blend_epi32(static_cast<__mmask16>(0xAAAA), _mm512_srli_epi64(d_even, 32), d_odd);
        return reduce_once(_mm512_add_epi32(r, p));
    }

    // Layers with half 8, 4, 2, 1 pair words of the same 32-word block held in two vectors A
    // (words 0..15) and B (16..31). For each, two-source permutations gather the first words of the
    // pairs into X and their partners into Y, one vector butterfly runs, and two more put them back.
    struct InVector {
        V gather_x[4], gather_y[4], scatter_a[4], scatter_b[4], twiddle[4];
        explicit InVector(const Word* tw) {
            for (unsigned level = 0; level < 4; ++level) {
                const unsigned half = 8U >> level;
                alignas(64) Word x[16], y[16], a[16], b[16], w[16];
                for (unsigned lane = 0; lane < 16; ++lane) {
                    const unsigned word = (lane / half) * 2 * half + lane % half;
                    x[lane] = word;
                    y[lane] = word + half;
                    w[lane] = tw[half + lane % half];
                }
                for (unsigned word = 0; word < 32; ++word) {
                    const unsigned offset = word % (2 * half);
                    const unsigned lane = (word / (2 * half)) * half + offset % half;
                    const Word source = offset < half ? lane : 16 + lane;
                    (word < 16 ? a[word] : b[word - 16]) = source;
                }
                gather_x[level] = _mm512_load_si512(x);
                gather_y[level] = _mm512_load_si512(y);
                scatter_a[level] = _mm512_load_si512(a);
                scatter_b[level] = _mm512_load_si512(b);
                twiddle[level] = _mm512_load_si512(w);
            }
        }
    };

    static void dif_in_vector(Word* block, const InVector& iv);
    static void dit_in_vector(Word* block, const InVector& iv);
};

#include "ntt_kernel.inc"

void Ops::dif_in_vector(Word* block, const InVector& iv) {
    V a = load(block);
    V b = load(block + 16);
    for (unsigned level = 0; level < 4; ++level) {
        V x = _mm512_permutex2var_epi32(a, iv.gather_x[level], b);
        V y = _mm512_permutex2var_epi32(a, iv.gather_y[level], b);
        dif_butterfly<Ops>(x, y, iv.twiddle[level]);
        a = _mm512_permutex2var_epi32(x, iv.scatter_a[level], y);
        b = _mm512_permutex2var_epi32(x, iv.scatter_b[level], y);
    }
    store(block, a);
    store(block + 16, b);
}

void Ops::dit_in_vector(Word* block, const InVector& iv) {
    V a = load(block);
    V b = load(block + 16);
    for (unsigned level = 4; level-- > 0;) {
        V x = _mm512_permutex2var_epi32(a, iv.gather_x[level], b);
        V y = _mm512_permutex2var_epi32(a, iv.gather_y[level], b);
        dit_butterfly<Ops>(x, y, iv.twiddle[level]);
        a = _mm512_permutex2var_epi32(x, iv.scatter_a[level], y);
        b = _mm512_permutex2var_epi32(x, iv.scatter_b[level], y);
    }
    store(block, a);
    store(block + 16, b);
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
                                 &avx512::inverse_transform<avx512::Ops>, &avx512::multiply<avx512::Ops>};
    return kernels;
}

}  // namespace tfqkd::pp::ntt
