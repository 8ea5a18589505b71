// The verification hash of docs/postprocessing.md ("Verification") written bit by bit from the
// definition, with the reduction polynomial as a parameter. Two users: the vector generator checks
// the reference (protocol/postprocessing/poly_hash.cpp) against it with the right polynomial before
// it writes a vector, so that the vectors do not merely restate one implementation; the mutant
// library of the tests uses it with a wrong polynomial. Slow (128 shifts per block) and not
// constant-time: never for keys.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace tfqkd::conformance::bitwise {

// x^128 + x^7 + x^2 + x + 1: the low terms as bits of a word.
inline constexpr std::uint64_t kGcmLowTerms = 0x87;

struct Element {
    std::uint64_t low = 0;   // coefficients of x^0..x^63
    std::uint64_t high = 0;  // x^64..x^127
};

// Bit i of the 16 little-endian bytes is the coefficient of x^i.
inline Element from_bytes(const std::uint8_t* b) {
    Element e;
    for (int i = 7; i >= 0; --i) e.low = (e.low << 8) | b[i];
    for (int i = 15; i >= 8; --i) e.high = (e.high << 8) | b[i];
    return e;
}

inline Element multiply(Element a, Element b, std::uint64_t low_terms) {
    Element r;
    for (int i = 0; i < 128; ++i) {
        const bool bit = i < 64 ? ((b.low >> i) & 1U) != 0 : ((b.high >> (i - 64)) & 1U) != 0;
        if (bit) {
            r.low ^= a.low;
            r.high ^= a.high;
        }
        const bool carry = (a.high >> 63) != 0;  // the x^128 term, reduced by the polynomial
        a.high = (a.high << 1) | (a.low >> 63);
        a.low <<= 1;
        if (carry) a.low ^= low_terms;
    }
    return r;
}

// h_k(M) = m_1 k^(d+1) + ... + m_d k^2 + L k, by Horner, over `bytes` = ceil(bit_length / 8) bytes.
inline std::array<std::uint8_t, 16> hash(const std::uint8_t key[16], const std::uint8_t* data, std::uint64_t bit_length,
                                         std::uint64_t low_terms) {
    const Element k = from_bytes(key);
    const std::uint64_t bytes = (bit_length + 7) / 8;
    Element acc;
    for (std::uint64_t at = 0; at < bytes; at += 16) {
        std::uint8_t block[16] = {};
        std::memcpy(block, data + at, static_cast<std::size_t>(bytes - at < 16 ? bytes - at : 16));
        const Element m = from_bytes(block);
        acc.low ^= m.low;
        acc.high ^= m.high;
        acc = multiply(acc, k, low_terms);
    }
    acc.low ^= bit_length;  // L: the length in the low 64 bits
    acc = multiply(acc, k, low_terms);
    std::array<std::uint8_t, 16> out{};
    for (int i = 0; i < 8; ++i) {
        out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(acc.low >> (8 * i));
        out[static_cast<std::size_t>(i + 8)] = static_cast<std::uint8_t>(acc.high >> (8 * i));
    }
    return out;
}

}  // namespace tfqkd::conformance::bitwise
