// Final keys: see protocol/postprocessing/key.hpp.
#include "protocol/postprocessing/key.hpp"

#include <cmath>

namespace tfqkd::pp {

Result<FinalKey> FinalKey::make(KeyMetadata metadata, SecretBits bits) {
    constexpr std::string_view kMessage = "final_key";
    if (metadata.length_bits != bits.size())
        return make_error(Errc::length_mismatch, kMessage, "length_bits", "differs from the key's size");
    if (metadata.length_bits > metadata.reconciled_bits)
        return make_error(Errc::out_of_range, kMessage, "reconciled_bits", "shorter than the key");
    const EpsilonTerms& e = metadata.epsilon;
    for (double term : {e.correctness, e.secrecy, e.parameter_estimation, e.authentication})
        if (!std::isfinite(term) || term < 0) return make_error(Errc::out_of_range, kMessage, "epsilon");
    return FinalKey(metadata, std::move(bits));
}

}  // namespace tfqkd::pp
