// The number-theoretic transform behind privacy amplification (internal to protocol/).
//
// Arithmetic is modulo the prime p = 15 * 2^27 + 1 = 2013265921, in Montgomery form with R = 2^32
// (Montgomery, "Modular multiplication without trial division", Math. Comp. 44 (1985)). The prime is
// chosen because
//   - 2^27 divides p - 1, so cyclic transforms of every power-of-two length up to 2^27 exist;
//   - p > 2^30, so a convolution of two 0/1 vectors, whose entries are at most the input length
//     (at most 2^30 on the wire, docs/wire-format.md 5.14), is exact modulo p: no floating point and
//     no rounding anywhere, which is what makes the parity of each entry the GF(2) product;
//   - 2p < 2^32, so a value in [0, 2p) and the Montgomery product of a value below 2p with one below
//     p fit the 32-bit lanes of the vector units.
// Values are kept fully reduced, in [0, p), between butterflies.
//
// Transforms are in place, of length N = 2^k (64 <= N <= 2^27): the forward one is decimation in
// frequency (Gentleman-Sande) from natural order to bit-reversed order, the inverse one decimation in
// time (Cooley-Tukey) from bit-reversed order back to natural order, unnormalised (it returns N times
// the inverse). A convolution therefore never permutes. Three implementations compute the same
// function bit for bit: scalar (any x86-64 or other CPU), AVX2 and AVX-512F, the last two compiled
// with target attributes and chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tfqkd::pp::ntt {

using Word = std::uint32_t;

inline constexpr Word kModulus = 2013265921U;  // 15 * 2^27 + 1
inline constexpr unsigned kMaxLog2 = 27;
inline constexpr unsigned kMinLog2 = 6;  // two AVX-512 vectors: the in-register layers need them
inline constexpr Word kGenerator = 31;   // a generator of the multiplicative group mod p (checked in the tests)

// p^-1 mod 2^32 by Newton's iteration x <- x (2 - p x), which doubles the correct low bits per step
// starting from x = p (correct to 3 bits for odd p); Montgomery reduction subtracts m p with
// m = t p^-1 mod 2^32 so that t - m p is divisible by 2^32.
consteval Word modulus_inverse_mod_2_32() {
    Word x = kModulus;
    for (int i = 0; i < 5; ++i) x = static_cast<Word>(x * (2U - kModulus * x));
    return x;
}
inline constexpr Word kModulusInverse = modulus_inverse_mod_2_32();
static_assert(static_cast<Word>(kModulus * kModulusInverse) == 1U);
static_assert(2ULL * kModulus < (1ULL << 32));
static_assert(kModulus > (1U << 30));

// a * b * 2^-32 mod p for a < 2p, b < p; result in [0, p). The scalar reference of every vector path.
constexpr Word montgomery_multiply(Word a, Word b) noexcept {
    const std::uint64_t t = static_cast<std::uint64_t>(a) * b;
    const Word m = static_cast<Word>(static_cast<Word>(t) * kModulusInverse);
    const std::uint64_t u = static_cast<std::uint64_t>(m) * kModulus;
    // t - u is divisible by 2^32, so its high half is hi(t) - hi(u), which lies in (-p, p).
    const Word r = static_cast<Word>((t >> 32) - (u >> 32) + kModulus);
    return r >= kModulus ? r - kModulus : r;
}

// x * 2^32 mod p: the Montgomery form of x.
constexpr Word to_montgomery(Word x) noexcept {
    return static_cast<Word>((static_cast<std::uint64_t>(x) << 32) % kModulus);
}

// Twiddle factors of one length N = 2^log2, for every level of the transform, in Montgomery form:
// forward[m/2 + j] = w_m^j * 2^32 mod p for each power of two 2 <= m <= N and 0 <= j < m/2, where
// w_m is a primitive m-th root of unity (w_m = w_N^(N/m)); inverse[] holds w_m^-j the same way.
// Entry 0 is unused. Each level is contiguous so that a vector loads its twiddles in one instruction.
struct Twiddles {
    unsigned log2 = 0;
    std::unique_ptr<Word[]> forward;
    std::unique_ptr<Word[]> inverse;
};

// The tables for length 2^log2, built on first use and kept for the life of the process (they are
// public constants, not secrets). Thread-safe.
const Twiddles& twiddles(unsigned log2);

// A 0/1 vector given by bits: word k (k < length) is `one` if bit (first + k) of `bytes` is set
// (bits most significant first in each byte, as in PackedBits), else 0; bits outside
// [0, total_bits) and words at k >= count read as 0. `first` may be negative.
struct BitSource {
    const unsigned char* bytes = nullptr;
    std::uint64_t total_bits = 0;
    std::int64_t first = 0;
    std::size_t count = 0;
    Word one = 1;
};

// The words [0, length) of a BitSource, written out (the reference of the kernels' fused reads).
void expand_bits(Word* out, std::size_t length, const BitSource& source) noexcept;

// Where the parities of convolution words go: bit i of `bytes` (most significant first in each byte,
// all zero on entry) becomes the parity of word first + i, for i < count.
struct ParitySink {
    unsigned char* bytes = nullptr;
    std::size_t first = 0;
    std::size_t count = 0;
};

// One instruction set's implementation of the operations a convolution needs.
struct Kernels {
    const char* name;
    // In place, length 2^t.log2.
    void (*forward)(Word* a, const Twiddles& t);
    void (*inverse)(Word* a, const Twiddles& t);
    // acc[i] = acc[i] + a[i] * b[i] * 2^-32 (mod p) for i < count, or = a[i] * b[i] * 2^-32 when
    // `accumulate` is false. count is a multiple of 64.
    void (*multiply)(Word* acc, const Word* a, const Word* b, std::size_t count, bool accumulate);
    // a <- inverse(forward(a) * b_hat * 2^-32): the three steps fused block by block (same result as
    // calling them in turn). b_hat is a forward transform.
    void (*convolve)(Word* a, const Word* b_hat, const Twiddles& t);
    // The same two operations on the vector of a BitSource, written to `a` (length 2^t.log2), which
    // need not be initialised: the bits are turned into words inside the first pass of the transform
    // rather than in a pass of their own, and whole sub-blocks beyond `count` are never loaded.
    void (*forward_bits)(Word* a, const BitSource& source, const Twiddles& t);
    void (*convolve_bits)(Word* a, const BitSource& source, const Word* b_hat, const Twiddles& t);
    // convolve_bits whose last pass writes the parities of the words to `out` instead of the words,
    // and which leaves `a` and `b_hat` all zero (they held key-derived words): each block of b_hat is
    // cleared once its product is taken, and the last pass stores zeros, so neither array needs a
    // wiping pass of its own, nor the convolution a pass to read its parities.
    void (*convolve_bits_parities)(Word* a, const BitSource& source, Word* b_hat, const Twiddles& t,
                                   const ParitySink& out);
    // The inverse transform of `a` with its last pass writing the parities to `out` and zeros to `a`.
    void (*inverse_parities)(Word* a, const Twiddles& t, const ParitySink& out);
};

const Kernels& scalar_kernels() noexcept;
// These two are defined on every x86-64 build; call them only when the CPU has the extension.
const Kernels& avx2_kernels() noexcept;
const Kernels& avx512_kernels() noexcept;

bool cpu_has_avx2() noexcept;
bool cpu_has_avx512() noexcept;

}  // namespace tfqkd::pp::ntt
