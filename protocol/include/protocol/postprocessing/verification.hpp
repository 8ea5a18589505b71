// Verification after error correction: docs/postprocessing.md, "Verification".
//
// One party picks a uniform 16-byte seed after both corrected keys are fixed, and sends the seed with
// h_seed(key) (poly_hash.hpp) in a verification message (docs/wire-format.md 5.13, algorithm 2); the
// other recomputes the hash over its own key and compares in constant time. If the keys differ, they
// pass with probability at most verification_epsilon(key bits) = (ceil(bits / 128) + 1) / 2^128,
// which is the correctness term the security budget adds (epsilon_cor). The 128 tag bits are public
// and are counted as leaked bits of the key (KeyMetadata::leaked_bits).
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "base/secret.hpp"
#include "protocol/postprocessing/poly_hash.hpp"
#include "protocol/wire/verification.hpp"

namespace tfqkd::pp {

inline constexpr std::uint64_t kVerificationLeakedBits = 8 * kPolyHashBytes;

// The verification message for `key` under `seed`, which must be uniform and chosen after the keys
// are fixed (the caller passes the randomness in: the protocol is sans-IO).
wire::Verification make_verification(std::uint64_t block_id, const SecretBits& key, const PolyHashKey& seed);

// Checks a received verification message against the local key. Errors (message "verification"):
//   algorithm: not 2 (GF(2^128)) - this implementation sends and accepts only algorithm 2 (invalid_value)
//   seed / tag: not 16 bytes (length_mismatch)
//   block_id: not `expected_block_id` (inconsistent)
//   tag: the hashes differ, the keys are not equal (inconsistent): the party aborts with
//        verification_failed.
Status check_verification(const wire::Verification& message, std::uint64_t expected_block_id, const SecretBits& key);

// The probability that two different keys of `key_bits` bits pass verification.
HashEpsilon verification_epsilon(std::uint64_t key_bits) noexcept;

}  // namespace tfqkd::pp
