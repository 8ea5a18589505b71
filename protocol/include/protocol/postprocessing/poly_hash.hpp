// The polynomial hash over GF(2^128) used by verification and by Wegman-Carter authentication:
// docs/postprocessing.md, "Verification".
//
// Field: GF(2)[x] / (x^128 + x^7 + x^2 + x + 1), the field of GCM (NIST SP 800-38D, 6.3), with a
// plain bit order: bit i of the 16 little-endian bytes of an element is the coefficient of x^i.
//
// Hash of a message of b bits, packed in ceil(b / 8) bytes (most significant bit first, padding
// zero, as PackedBits), under key k: cut the bytes into d = ceil(b / 128) blocks m_1 .. m_d of 16
// bytes (the last one padded with zero bytes), let L be the element whose low 64 bits are b, and
//
//     h_k(M) = m_1 k^(d+1) + m_2 k^d + ... + m_d k^2 + L k      (Horner: acc = (acc + m_i) k).
//
// For two different messages of at most d blocks, h_k(M) - h_k(M') - c is a non-zero polynomial in k
// of degree at most d + 1 for every c (its k^1 coefficient differs when the lengths differ, some
// other coefficient when the contents do; it has no constant term, so subtracting c != 0 keeps it
// non-zero), with at most d + 1 roots. Over a uniform key:
//
//     Pr[h_k(M) = h_k(M')] <= Pr[h_k(M) xor h_k(M') = c] <= (d + 1) / 2^128,
//
// i.e. the family is epsilon-almost-XOR-universal with epsilon = (d + 1) / 2^128 (the polynomial
// evaluation hash of den Boer (1993), Bierbrauer et al. (CRYPTO 1993) and Taylor (1993); see also
// Shoup, "On fast and provably secure message authentication based on universal hashing", CRYPTO 1996).
//
// Two implementations compute the same function: PCLMULQDQ (carry-less multiply, four blocks per
// reduction) when the CPU has it, and a portable one whose running time does not depend on the key.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.hpp"

namespace tfqkd::pp {

inline constexpr std::size_t kPolyHashBytes = 16;
using PolyHashKey = std::array<Byte, kPolyHashBytes>;
using PolyHashValue = std::array<Byte, kPolyHashBytes>;

// An element of GF(2^128): `low` holds the coefficients of x^0..x^63, `high` those of x^64..x^127.
struct Gf128 {
    std::uint64_t low = 0;
    std::uint64_t high = 0;
    bool operator==(const Gf128&) const = default;
};

Gf128 gf128_from_bytes(std::span<const Byte, 16> bytes) noexcept;
std::array<Byte, 16> gf128_to_bytes(Gf128 a) noexcept;
// The field product, portable and constant-time (no branch or index depends on the operands).
Gf128 gf128_multiply(Gf128 a, Gf128 b) noexcept;

enum class HashPath : std::uint8_t { automatic, portable, pclmul };
bool hash_path_supported(HashPath path) noexcept;

// h_k of the `bit_length`-bit message in `data` (ceil(bit_length / 8) bytes, padding bits zero; the
// caller guarantees both: PackedBits and SecretBits do). An unsupported `path` falls back to portable.
PolyHashValue poly_hash_128(const PolyHashKey& key, ByteSpan data, std::uint64_t bit_length,
                            HashPath path = HashPath::automatic) noexcept;

// epsilon = (d + 1) / 2^128 with d = ceil(bit_length / 128), as an exact fraction and as a double
// (which rounds the exact value to nearest; use the fraction where the budget must be exact). For
// two messages of different lengths, pass the longer one.
struct HashEpsilon {
    std::uint64_t numerator = 0;    // d + 1
    unsigned log2_denominator = 0;  // 128
    double value() const noexcept;
};
HashEpsilon poly_hash_128_epsilon(std::uint64_t bit_length) noexcept;

}  // namespace tfqkd::pp
