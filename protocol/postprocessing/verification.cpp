// Verification: see protocol/postprocessing/verification.hpp.
#include "protocol/postprocessing/verification.hpp"

#include <algorithm>

namespace tfqkd::pp {

wire::Verification make_verification(std::uint64_t block_id, const SecretBits& key, const PolyHashKey& seed) {
    wire::Verification m;
    m.block_id = block_id;
    m.algorithm = wire::Verification::Algorithm::poly_gf2_128;
    m.seed.assign(seed.begin(), seed.end());
    const PolyHashValue tag = poly_hash_128(seed, key.reveal(), key.size());
    m.tag.assign(tag.begin(), tag.end());
    return m;
}

Status check_verification(const wire::Verification& message, std::uint64_t expected_block_id, const SecretBits& key) {
    constexpr std::string_view kMessage = "verification";
    if (message.algorithm != wire::Verification::Algorithm::poly_gf2_128)
        return make_error(Errc::invalid_value, kMessage, "algorithm", "only the GF(2^128) hash (2) is accepted");
    if (message.seed.size() != kPolyHashBytes) return make_error(Errc::length_mismatch, kMessage, "seed");
    if (message.tag.size() != kPolyHashBytes) return make_error(Errc::length_mismatch, kMessage, "tag");
    if (message.block_id != expected_block_id) return make_error(Errc::inconsistent, kMessage, "block_id");
    PolyHashKey seed;
    std::copy(message.seed.begin(), message.seed.end(), seed.begin());
    const PolyHashValue local = poly_hash_128(seed, key.reveal(), key.size());
    if (!constant_time_equal(local, message.tag))
        return make_error(Errc::inconsistent, kMessage, "tag", "the keys differ");
    return {};
}

HashEpsilon verification_epsilon(std::uint64_t key_bits) noexcept { return poly_hash_128_epsilon(key_bits); }

}  // namespace tfqkd::pp
