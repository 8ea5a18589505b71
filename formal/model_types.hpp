// The message types of the formal model, numbered densely from 1 in this order (a frame's type fits
// in 4 bits of the model's packed frame). export_table writes these numbers into table.pml; the
// replays read them back from the model's printouts.
#pragma once

#include <array>
#include <optional>

#include "protocol/wire/types.hpp"

namespace tfqkd::formal {

inline constexpr std::array<wire::MessageType, 13> kModelTypes = {
    wire::MessageType::session_params,       wire::MessageType::session_params_ack,
    wire::MessageType::detection_report,     wire::MessageType::sifting_announcement,
    wire::MessageType::decoy_announcement,   wire::MessageType::aopp_pairing,
    wire::MessageType::aopp_parity,          wire::MessageType::cascade_parity_query,
    wire::MessageType::cascade_parity_reply, wire::MessageType::verification,
    wire::MessageType::privacy_amplification, wire::MessageType::key_confirmation,
    wire::MessageType::abort};

// The model's number of a type (from 1), or -1 for a type the model does not know.
constexpr int model_number(wire::MessageType t) {
    for (std::size_t i = 0; i < kModelTypes.size(); ++i)
        if (kModelTypes[i] == t) return static_cast<int>(i) + 1;
    return -1;
}

// The type of a model number.
constexpr std::optional<wire::MessageType> model_type(int number) {
    if (number < 1 || number > static_cast<int>(kModelTypes.size())) return std::nullopt;
    return kModelTypes[static_cast<std::size_t>(number - 1)];
}

}  // namespace tfqkd::formal
