#include "protocol/wire/types.hpp"

namespace tfqkd::wire {

std::optional<Role> role_from_u8(std::uint8_t value) noexcept {
    if (value >= 1 && value <= 3) return static_cast<Role>(value);
    return std::nullopt;
}

std::string_view role_name(Role role) noexcept {
    switch (role) {
        case Role::alice: return "alice";
        case Role::bob: return "bob";
        case Role::charlie: return "charlie";
    }
    return "unknown";
}

namespace {

struct TypeInfo {
    MessageType type;
    std::string_view name;
    std::uint8_t channels;
};

// Section 5, the catalogue table: type, name, routes.
constexpr std::array<TypeInfo, 16> kTypes{{
    {MessageType::session_params, "session_params", kPeer | kToRelay},
    {MessageType::session_params_ack, "session_params_ack", kPeer | kFromRelay},
    {MessageType::detection_report, "detection_report", kFromRelay},
    {MessageType::phase_reference_report, "phase_reference_report", kFromRelay},
    {MessageType::sifting_announcement, "sifting_announcement", kPeer},
    {MessageType::decoy_announcement, "decoy_announcement", kPeer},
    {MessageType::estimation_disclosure, "estimation_disclosure", kPeer},
    {MessageType::aopp_pairing, "aopp_pairing", kPeer},
    {MessageType::aopp_parity, "aopp_parity", kPeer},
    {MessageType::cascade_parity_query, "cascade_parity_query", kPeer},
    {MessageType::cascade_parity_reply, "cascade_parity_reply", kPeer},
    {MessageType::ldpc_syndrome, "ldpc_syndrome", kPeer},
    {MessageType::verification, "verification", kPeer},
    {MessageType::privacy_amplification, "privacy_amplification", kPeer},
    {MessageType::key_confirmation, "key_confirmation", kPeer},
    {MessageType::abort, "abort", kPeer | kToRelay | kFromRelay},
}};

const TypeInfo* find(MessageType type) noexcept {
    for (const auto& info : kTypes)
        if (info.type == type) return &info;
    return nullptr;
}

}  // namespace

std::optional<MessageType> message_type_from_u8(std::uint8_t value) noexcept {
    const auto type = static_cast<MessageType>(value);
    if (find(type) != nullptr) return type;
    return std::nullopt;
}

std::string_view message_type_name(MessageType type) noexcept {
    const TypeInfo* info = find(type);
    return info != nullptr ? info->name : "unknown";
}

std::uint8_t allowed_channels(MessageType type) noexcept {
    const TypeInfo* info = find(type);
    return info != nullptr ? info->channels : 0;
}

std::uint8_t channel_of(Role sender, Role receiver) noexcept {
    if (sender == receiver) return 0;
    if (sender == Role::charlie) return kFromRelay;
    if (receiver == Role::charlie) return kToRelay;
    return kPeer;
}

}  // namespace tfqkd::wire
