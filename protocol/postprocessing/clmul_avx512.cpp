// The VPCLMULQDQ path of the carry-less Toeplitz product (clmul.hpp): four 64 x 64-bit carry-less
// products per instruction. Compiled with a target attribute on every function of the region below
// (not a global -m flag), so the library still runs on any x86-64 CPU; entered only after
// cpu_has_vpclmul().
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "clmul.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,vpclmulqdq,pclmul"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,vpclmulqdq,pclmul")
// GCC 12's AVX-512 intrinsics build their "undefined" pass-through operand as `__m512i __Y = __Y;`,
// which -Wuninitialized reports in every caller (GCC bug 105593, fixed in GCC 13): silenced here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace tfqkd::pp::clmul {
namespace vpclmul {

#include "clmul_kernel.inc"

// Schoolbook middle product of `size` < 8 G words, eight outputs t0 .. t0 + 7 per group of two
// accumulators: for each j, eight consecutive words a[t0 + N - 1 - j ..] times b[j] broadcast; the
// even lanes' products (r_t0, r_t0+2, ...) fold into out[t0 ..] as they lie, the odd ones' into
// out[t0 + 1 ..].
template <std::size_t G>
void schoolbook(const Limb* a, const Limb* b, std::size_t size, Limb* out) noexcept {
    __m512i even[G];
    __m512i odd[G];
    __mmask8 load_mask[G];
    for (std::size_t g = 0; g < G; ++g) {
        even[g] = _mm512_setzero_si512();
        odd[g] = _mm512_setzero_si512();
        const std::size_t t0 = 8 * g;
        const std::size_t lanes = size > t0 ? std::min<std::size_t>(8, size - t0) : 0;
        load_mask[g] = static_cast<__mmask8>((1U << lanes) - 1);
    }
    for (std::size_t j = 0; j < size; ++j) {
        const __m512i bj = _mm512_set1_epi64(static_cast<long long>(b[j]));
        const Limb* row = a + size - 1 - j;
#pragma GCC unroll 8
        for (std::size_t g = 0; g < G; ++g) {
            const __m512i va = _mm512_maskz_loadu_epi64(load_mask[g], row + 8 * g);
            even[g] = _mm512_xor_si512(even[g], _mm512_clmulepi64_epi128(va, bj, 0x00));
            odd[g] = _mm512_xor_si512(odd[g], _mm512_clmulepi64_epi128(va, bj, 0x01));
        }
    }
    // Folding in registers: out[8g .. 8g + 7] = even[g] ^ (odd[g - 1] lane 7, odd[g] lanes 0 .. 6),
    // stored once (a store and a reload of overlapping words would stall the store forwarding).
    __m512i previous = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (std::size_t g = 0; g <= G; ++g) {
        const __m512i current = g < G ? odd[g] : _mm512_setzero_si512();
        const __m512i words = _mm512_xor_si512(g < G ? even[g] : _mm512_setzero_si512(),
                                               _mm512_alignr_epi64(current, previous, 7));
        previous = current;
        const std::size_t t0 = 8 * g;
        if (t0 > size) break;
        const std::size_t room = std::min<std::size_t>(8, size + 1 - t0);  // out[0 .. size]
        _mm512_mask_storeu_epi64(out + t0, static_cast<__mmask8>((1U << room) - 1), words);
    }
}

struct Base {
    static constexpr bool kWide = true;
    static void middle_product(const Limb* a, const Limb* b, std::size_t size, Limb* out) noexcept {
        static_assert(kMinBase == 16 && kMaxBase == 64);
        if (size <= 16) schoolbook<2>(a, b, size, out);
        else if (size <= 24) schoolbook<3>(a, b, size, out);
        else if (size <= 32) schoolbook<4>(a, b, size, out);
        else if (size <= 40) schoolbook<5>(a, b, size, out);
        else if (size <= 48) schoolbook<6>(a, b, size, out);
        else if (size <= 56) schoolbook<7>(a, b, size, out);
        else schoolbook<8>(a, b, size, out);
    }
};

void run(const Byte* seed, const Byte* input, std::uint64_t n, std::uint64_t l, Byte* out, Limb* work) {
    toeplitz<Base>(seed, input, n, l, out, work);
}

}  // namespace vpclmul
}  // namespace tfqkd::pp::clmul

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

namespace tfqkd::pp::clmul {

// Outside the target region: this runs on any CPU, and only hands out the entry point.
const Kernels& vpclmul_kernels() noexcept {
    static const Kernels kernels{"clmul_avx512", true, &vpclmul::run};
    return kernels;
}

bool cpu_has_vpclmul() noexcept {
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("vpclmulqdq") != 0 &&
           __builtin_cpu_supports("pclmul") != 0;
}

}  // namespace tfqkd::pp::clmul
