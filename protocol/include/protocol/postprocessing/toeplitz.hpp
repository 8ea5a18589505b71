// Privacy amplification by Toeplitz hashing: docs/postprocessing.md, "Privacy amplification".
//
// The final key is y = T x over GF(2), where x is the n-bit reconciled key and T the l x n Toeplitz
// matrix of an (n + l - 1)-bit public seed s (the seed of the privacy_amplification message,
// docs/wire-format.md 5.14):
//
//     T[i][j] = s[i - j + n - 1]      (0 <= i < l, 0 <= j < n),
//
// so s[n - 1 - j] is row 0 and s[n - 1 + i] column 0. Toeplitz matrices with a uniform seed form a
// universal family of hash functions (Krawczyk, CRYPTO 1994; Mansour, Nisan, Tiwari, STOC 1990), so
// by the leftover hash lemma the output length l is the certified length of the security layer.
// Bit k of a PackedBits or SecretBits is bit k of the vectors above.
//
// y[i] is entry i + n - 1 of the convolution s * x taken mod 2, i.e. coefficient i + n - 1 of the
// product s(z) x(z) in GF(2)[z]. Where the CPU has PCLMULQDQ (NttPath::clmul) or VPCLMULQDQ with
// AVX-512F (clmul_avx512), that product is computed with carry-less multiplies, 64 bits per word, as
// middle products by transposed Karatsuba (protocol/postprocessing/clmul.hpp); its work memory, at
// most about (3 n + 9 l) / 8 bytes (the seed and input as words, sums and scratch of a few chunks),
// is wiped before hash() returns. Otherwise (and on request, NttPath::scalar, avx2, avx512):
// y[i] is entry i + n - 1 of the convolution s * x, computed exactly as a cyclic convolution of 0/1
// vectors with the number-theoretic transform modulo p = 15 * 2^27 + 1 (entries are at most n < p,
// so no reduction loses information and the parity of an entry is y[i]); no floating point is used.
// The matrix may be cut into blocks of rows and columns whose products are summed in the transform
// domain: necessarily when n + l - 1 exceeds the largest transform (2^27 words, or the
// `max_transform_log2` option), and by choice when that costs less arithmetic (two column blocks of
// half the length when l is small against n). Work memory is two transform-length arrays of 32-bit
// words with one column block (128 MiB at 2^24), three with more, plus the twiddle tables (8 bytes
// per word of each transform length used, kept for the process); the arrays holding key-derived
// words are wiped before hash() returns.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/bits.hpp"
#include "base/result.hpp"
#include "base/secret.hpp"

namespace tfqkd::pp {

// Which implementation runs. All give identical output. scalar, avx2 and avx512 are the
// number-theoretic transform; clmul (PCLMULQDQ) and clmul_avx512 (VPCLMULQDQ with AVX-512F) compute
// the same product as a carry-less polynomial product in GF(2)[z] (Karatsuba middle products), which
// is faster. The name is kept from when every path was a transform.
enum class NttPath : std::uint8_t { automatic, scalar, avx2, avx512, clmul, clmul_avx512 };

std::string_view ntt_path_name(NttPath path) noexcept;
// True when the CPU can run `path` (scalar and automatic always can).
bool ntt_path_supported(NttPath path) noexcept;
// The fastest path on this CPU for most sizes: clmul_avx512, else clmul, else the transform with
// AVX-512F, else AVX2, else scalar. `automatic` resolves to it, except for blocks where the cost
// model of ToeplitzHasher::path_for prefers the transform.
NttPath ntt_best_path() noexcept;

struct ToeplitzOptions {
    NttPath path = NttPath::automatic;
    // The largest transform is 2^max_transform_log2 words (6..27). Smaller values use less memory
    // and cut the product into more blocks; the tests use them to exercise the blocked product.
    // The clmul paths check it but do not use it.
    unsigned max_transform_log2 = 27;
};

// The largest input the hash accepts: convolution entries must stay below the prime.
inline constexpr std::uint64_t kToeplitzMaxInputBits = std::uint64_t{1} << 30;

// Hashes blocks one after another, keeping its work memory between calls (a fresh allocation of
// hundreds of MiB costs more page faults than the transform costs arithmetic). Not thread-safe: use
// one per thread.
class ToeplitzHasher {
public:
    explicit ToeplitzHasher(ToeplitzOptions options = {});
    ~ToeplitzHasher();
    ToeplitzHasher(ToeplitzHasher&&) noexcept;
    ToeplitzHasher& operator=(ToeplitzHasher&&) noexcept;

    // y = T x with T from `seed`, `output_bits` = l bits. Errors (message "privacy_amplification"):
    //   input:       empty, or longer than kToeplitzMaxInputBits (out_of_range)
    //   output_bits: 0 or more than the input length (out_of_range)
    //   seed:        not input + output_bits - 1 bits long (length_mismatch)
    //   path:        an implementation this CPU cannot run (invalid_argument)
    //   max_transform_log2: outside 6..27 (invalid_argument)
    Result<SecretBits> hash(const PackedBits& seed, const SecretBits& input, std::uint64_t output_bits);

    // The implementation hash() runs for typical blocks: the requested one, or for `automatic` what
    // ntt_best_path() gives.
    NttPath path() const noexcept;
    // The implementation hash() runs for n input and l output bits. For `automatic` with a carry-less
    // path available, the faster of it and the best transform path by a cost model (the transform
    // wins for the largest blocks, e.g. 10^8 bits); otherwise as path().
    NttPath path_for(std::uint64_t n, std::uint64_t l) const noexcept;

private:
    struct Workspace;
    ToeplitzOptions options_;
    std::unique_ptr<Workspace> workspace_;
};

// One block with a hasher of its own.
Result<SecretBits> toeplitz_hash(const PackedBits& seed, const SecretBits& input, std::uint64_t output_bits,
                                 ToeplitzOptions options = {});

}  // namespace tfqkd::pp
