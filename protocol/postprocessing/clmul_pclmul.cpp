// The PCLMULQDQ path of the carry-less Toeplitz product (clmul.hpp): one 64 x 64-bit carry-less
// product per instruction. Compiled with a target attribute on every function of the region below
// (not a global -m flag); entered only after cpu_has_pclmul().
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "clmul.hpp"

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("pclmul,sse4.1"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("pclmul,sse4.1")
#endif

namespace tfqkd::pp::clmul {
namespace pclmul {

#include "clmul_kernel.inc"

struct Base {
    static constexpr bool kWide = false;
    // Schoolbook middle product, outputs t and t + 1 at a time: the two words a[t + N - 1 - j],
    // a[t + N - j] times b[j]; r_t folds into out[t, t + 1], r_{t+1} into out[t + 1, t + 2].
    static void middle_product(const Limb* a, const Limb* b, std::size_t size, Limb* out) noexcept {
        std::fill(out, out + size + 1, Limb{0});
        std::size_t t = 0;
        for (; t + 2 <= size; t += 2) {
            __m128i even = _mm_setzero_si128();
            __m128i odd = _mm_setzero_si128();
            for (std::size_t j = 0; j < size; ++j) {
                const __m128i va = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + t + size - 1 - j));
                const __m128i bj = _mm_cvtsi64_si128(static_cast<long long>(b[j]));
                even = _mm_xor_si128(even, _mm_clmulepi64_si128(va, bj, 0x00));
                odd = _mm_xor_si128(odd, _mm_clmulepi64_si128(va, bj, 0x01));
            }
            auto* at = reinterpret_cast<__m128i*>(out + t);
            _mm_storeu_si128(at, _mm_xor_si128(_mm_loadu_si128(at), even));
            at = reinterpret_cast<__m128i*>(out + t + 1);
            _mm_storeu_si128(at, _mm_xor_si128(_mm_loadu_si128(at), odd));
        }
        if (t < size) {  // the last output of an odd size: a[t + N - 1 - j] is the last word for j = 0
            __m128i last = _mm_setzero_si128();
            for (std::size_t j = 0; j < size; ++j) {
                const __m128i va = _mm_cvtsi64_si128(static_cast<long long>(a[t + size - 1 - j]));
                const __m128i bj = _mm_cvtsi64_si128(static_cast<long long>(b[j]));
                last = _mm_xor_si128(last, _mm_clmulepi64_si128(va, bj, 0x00));
            }
            auto* at = reinterpret_cast<__m128i*>(out + t);
            _mm_storeu_si128(at, _mm_xor_si128(_mm_loadu_si128(at), last));
        }
    }
};

void run(const Byte* seed, const Byte* input, std::uint64_t n, std::uint64_t l, Byte* out, Limb* work) {
    toeplitz<Base>(seed, input, n, l, out, work);
}

}  // namespace pclmul
}  // namespace tfqkd::pp::clmul

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

namespace tfqkd::pp::clmul {

// Outside the target region: this runs on any CPU, and only hands out the entry point.
const Kernels& pclmul_kernels() noexcept {
    static const Kernels kernels{"clmul", false, &pclmul::run};
    return kernels;
}

bool cpu_has_pclmul() noexcept {
    return __builtin_cpu_supports("pclmul") != 0 && __builtin_cpu_supports("sse4.1") != 0;
}

}  // namespace tfqkd::pp::clmul
