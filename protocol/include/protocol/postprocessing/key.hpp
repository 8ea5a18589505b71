// A final key and what is known about it: docs/postprocessing.md, "Secrets".
//
// The bits live in a SecretBits (wiped when the key is destroyed, never printed); the metadata is
// public and travels with the key to whoever consumes it (a key store, the report).
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "base/secret.hpp"

namespace tfqkd::pp {

// The failure probabilities the key's security statement adds up (docs/security.md): each an upper
// bound as certified upstream (the security layer rounds its interval bounds up before they get here).
struct EpsilonTerms {
    double correctness = 0;       // verification: verification_epsilon(reconciled bits)
    double secrecy = 0;           // privacy amplification (leftover hash lemma) and smoothing
    double parameter_estimation = 0;
    double authentication = 0;    // sum over the block's tags of authentication_epsilon(frame bytes)
    double total() const noexcept { return correctness + secrecy + parameter_estimation + authentication; }
    bool operator==(const EpsilonTerms&) const = default;
};

struct KeyMetadata {
    std::uint64_t session_id = 0;
    std::uint64_t block_id = 0;
    std::uint64_t length_bits = 0;      // the key's size: the certified length, less pool_bits
    // Bits of the certified key moved into the authentication pools for the next block
    // (docs/protocol.md 3.6); 0 when the whole key is delivered.
    std::uint64_t pool_bits = 0;
    std::uint64_t reconciled_bits = 0;  // privacy amplification's input length
    std::uint64_t leaked_bits = 0;      // public about the reconciled key: error correction + verification tag
    EpsilonTerms epsilon;
    bool operator==(const KeyMetadata&) const = default;
};

class FinalKey {
public:
    // Errors (message "final_key"): length_bits differs from the bits' size (length_mismatch), more
    // output than input (reconciled_bits, out_of_range), an epsilon term negative or not finite
    // (epsilon, out_of_range).
    static Result<FinalKey> make(KeyMetadata metadata, SecretBits bits);

    const KeyMetadata& metadata() const noexcept { return metadata_; }
    const SecretBits& bits() const noexcept { return bits_; }
    // Hands the bits over (for a key store, or to replenish an authentication pool); the key is then
    // empty, with its metadata kept.
    SecretBits release_bits() noexcept { return std::move(bits_); }

private:
    FinalKey(KeyMetadata metadata, SecretBits bits) : metadata_(metadata), bits_(std::move(bits)) {}
    KeyMetadata metadata_;
    SecretBits bits_;
};

}  // namespace tfqkd::pp
