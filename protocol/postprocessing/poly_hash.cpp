// The GF(2^128) polynomial hash: see protocol/postprocessing/poly_hash.hpp.
#include "protocol/postprocessing/poly_hash.hpp"

#include <cmath>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tfqkd::pp {
namespace {

// x^128 = x^7 + x^2 + x + 1 in the field.
constexpr std::uint64_t kReduction = 0x87;

// 64 x 64 -> 128-bit carry-less product, one bit of b at a time under a mask (no branch on data).
void clmul64(std::uint64_t a, std::uint64_t b, std::uint64_t& low, std::uint64_t& high) noexcept {
    low = 0;
    high = 0;
    for (unsigned i = 0; i < 64; ++i) {
        const std::uint64_t mask = std::uint64_t{0} - ((b >> i) & 1U);
        low ^= (a << i) & mask;
        high ^= (i == 0 ? 0 : a >> (64 - i)) & mask;
    }
}

// d3 x^192 + d2 x^128 + d1 x^64 + d0 reduced: x^128 = 0x87, so d3 x^192 = d3 0x87 x^64 and then
// d2 x^128 = d2 0x87 (d2 already holds the at most 7 bits that the first fold carried into it).
Gf128 reduce_portable(std::uint64_t d0, std::uint64_t d1, std::uint64_t d2, std::uint64_t d3) noexcept {
    std::uint64_t low = 0;
    std::uint64_t high = 0;
    clmul64(d3, kReduction, low, high);
    d1 ^= low;
    d2 ^= high;
    clmul64(d2, kReduction, low, high);
    d0 ^= low;
    d1 ^= high;
    return {d0, d1};
}

std::uint64_t load_le64(const Byte* p) noexcept {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
    return v;
}

Gf128 load_block(ByteSpan data, std::size_t offset) noexcept {
    Byte block[16] = {};
    const std::size_t count = std::min<std::size_t>(16, data.size() - offset);
    std::memcpy(block, data.data() + offset, count);
    return {load_le64(block), load_le64(block + 8)};
}

PolyHashValue hash_portable(const PolyHashKey& key_bytes, ByteSpan data, std::uint64_t bit_length) noexcept {
    const Gf128 key = gf128_from_bytes(key_bytes);
    Gf128 acc;
    for (std::size_t offset = 0; offset < data.size(); offset += 16) {
        const Gf128 m = load_block(data, offset);
        acc = gf128_multiply({acc.low ^ m.low, acc.high ^ m.high}, key);
    }
    acc = gf128_multiply({acc.low ^ bit_length, acc.high}, key);
    return gf128_to_bytes(acc);
}

#if defined(__x86_64__)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("pclmul,sse4.1"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("pclmul,sse4.1")
#endif

// The 256-bit carry-less product of two elements, unreduced, as (low 128, high 128).
struct Wide {
    __m128i low;
    __m128i high;
};

inline Wide clmul128(__m128i a, __m128i b) {
    const __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
    const __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
    const __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    return {_mm_xor_si128(lo, _mm_slli_si128(mid, 8)), _mm_xor_si128(hi, _mm_srli_si128(mid, 8))};
}

inline Wide wide_xor(Wide a, Wide b) { return {_mm_xor_si128(a.low, b.low), _mm_xor_si128(a.high, b.high)}; }

// The same two folds as reduce_portable.
inline __m128i reduce(Wide w) {
    const __m128i poly = _mm_cvtsi64_si128(static_cast<long long>(kReduction));
    // Fold d3 (high half of w.high): d3 * 0x87 lands at x^64.
    const __m128i t3 = _mm_clmulepi64_si128(w.high, poly, 0x01);
    __m128i high = _mm_xor_si128(w.high, _mm_srli_si128(t3, 8));  // its top bits into d2
    __m128i low = _mm_xor_si128(w.low, _mm_slli_si128(t3, 8));    // its low 64 bits into d1
    high = _mm_and_si128(high, _mm_set_epi64x(0, -1));              // d3 is consumed
    // Fold d2: d2 * 0x87 lands at x^0.
    const __m128i t2 = _mm_clmulepi64_si128(high, poly, 0x00);
    return _mm_xor_si128(low, t2);
}

inline __m128i multiply(__m128i a, __m128i b) { return reduce(clmul128(a, b)); }

inline __m128i load_block_sse(ByteSpan data, std::size_t offset) {
    if (data.size() - offset >= 16) return _mm_loadu_si128(reinterpret_cast<const __m128i*>(data.data() + offset));
    alignas(16) Byte block[16] = {};
    std::memcpy(block, data.data() + offset, data.size() - offset);
    return _mm_load_si128(reinterpret_cast<const __m128i*>(block));
}

// Horner's rule four blocks at a time: acc <- (acc + m1) k^4 + m2 k^3 + m3 k^2 + m4 k, with the four
// products summed before one reduction (aggregated reduction, as in Gueron and Kounavis's GCM on
// Intel processors, Intel white paper 323640, 2010).
PolyHashValue hash_pclmul(const PolyHashKey& key_bytes, ByteSpan data, std::uint64_t bit_length) {
    const __m128i k1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key_bytes.data()));
    const __m128i k2 = multiply(k1, k1);
    const __m128i k3 = multiply(k2, k1);
    const __m128i k4 = multiply(k2, k2);
    __m128i acc = _mm_setzero_si128();
    std::size_t offset = 0;
    const std::size_t size = data.size();
    const Byte* p = data.data();
    for (; size - offset >= 64; offset += 64) {
        const __m128i m1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset));
        const __m128i m2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset + 16));
        const __m128i m3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset + 32));
        const __m128i m4 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + offset + 48));
        Wide sum = clmul128(_mm_xor_si128(acc, m1), k4);
        sum = wide_xor(sum, clmul128(m2, k3));
        sum = wide_xor(sum, clmul128(m3, k2));
        sum = wide_xor(sum, clmul128(m4, k1));
        acc = reduce(sum);
    }
    for (; offset < size; offset += 16) acc = multiply(_mm_xor_si128(acc, load_block_sse(data, offset)), k1);
    acc = multiply(_mm_xor_si128(acc, _mm_cvtsi64_si128(static_cast<long long>(bit_length))), k1);
    PolyHashValue out;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out.data()), acc);
    return out;
}

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif  // __x86_64__

}  // namespace

Gf128 gf128_from_bytes(std::span<const Byte, 16> bytes) noexcept { return {load_le64(bytes.data()), load_le64(bytes.data() + 8)}; }

std::array<Byte, 16> gf128_to_bytes(Gf128 a) noexcept {
    std::array<Byte, 16> out{};
    for (unsigned i = 0; i < 8; ++i) {
        out[i] = static_cast<Byte>(a.low >> (8 * i));
        out[8 + i] = static_cast<Byte>(a.high >> (8 * i));
    }
    return out;
}

Gf128 gf128_multiply(Gf128 a, Gf128 b) noexcept {
    std::uint64_t ll_lo, ll_hi, hh_lo, hh_hi, lh_lo, lh_hi, hl_lo, hl_hi;
    clmul64(a.low, b.low, ll_lo, ll_hi);
    clmul64(a.high, b.high, hh_lo, hh_hi);
    clmul64(a.low, b.high, lh_lo, lh_hi);
    clmul64(a.high, b.low, hl_lo, hl_hi);
    return reduce_portable(ll_lo, ll_hi ^ lh_lo ^ hl_lo, hh_lo ^ lh_hi ^ hl_hi, hh_hi);
}

bool hash_path_supported(HashPath path) noexcept {
    switch (path) {
        case HashPath::automatic:
        case HashPath::portable: return true;
        case HashPath::pclmul:
#if defined(__x86_64__)
            return __builtin_cpu_supports("pclmul") != 0 && __builtin_cpu_supports("sse4.1") != 0;
#else
            return false;
#endif
    }
    return false;
}

PolyHashValue poly_hash_128(const PolyHashKey& key, ByteSpan data, std::uint64_t bit_length, HashPath path) noexcept {
#if defined(__x86_64__)
    static const bool has_pclmul = hash_path_supported(HashPath::pclmul);
    if (has_pclmul && path != HashPath::portable) return hash_pclmul(key, data, bit_length);
#endif
    (void)path;
    return hash_portable(key, data, bit_length);
}

double HashEpsilon::value() const noexcept {
    return std::ldexp(static_cast<double>(numerator), -static_cast<int>(log2_denominator));
}

HashEpsilon poly_hash_128_epsilon(std::uint64_t bit_length) noexcept {
    const std::uint64_t blocks = bit_length / 128 + (bit_length % 128 != 0 ? 1 : 0);
    return {blocks + 1, 128};
}

}  // namespace tfqkd::pp
