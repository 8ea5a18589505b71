// The `decoded` JSON form of docs/wire-format.md, section 7.1.
#include "protocol/wire/json.hpp"

namespace tfqkd::wire {
namespace {

using nlohmann::json;

template <class E>
auto as_int(E e) {
    return static_cast<std::underlying_type_t<E>>(e);
}

json settings_json(const std::vector<SessionParams::Setting>& settings) {
    json out = json::array();
    for (const auto& s : settings)
        out.push_back({{"window", as_int(s.window)}, {"intensity", s.intensity}, {"probability", s.probability}});
    return out;
}

json fields(const SessionParams& m) {
    return {{"family", as_int(m.family)},         {"pulse_count", m.pulse_count},
            {"phase_slices", m.phase_slices},     {"alice_settings", settings_json(m.alice_settings)},
            {"bob_settings", settings_json(m.bob_settings)}, {"eps_cor", m.eps_cor},
            {"eps_pa", m.eps_pa},                 {"eps_pe", m.eps_pe},
            {"eps_total", m.eps_total},           {"capabilities", m.capabilities}};
}

json fields(const SessionParamsAck& m) {
    return {{"params_digest", to_hex(m.params_digest)}, {"capabilities", m.capabilities}};
}

json fields(const DetectionReport& m) {
    json events = json::array();
    for (std::size_t i = 0; i < m.slots.size() && i < m.clicks.size(); ++i)
        events.push_back({{"slot", m.slots[i]}, {"click", as_int(m.clicks[i])}});
    return {{"first_slot", m.first_slot}, {"slot_count", m.slot_count}, {"events", std::move(events)}};
}

json fields(const PhaseReferenceReport& m) {
    return {{"first_slot", m.first_slot}, {"sample_stride", m.sample_stride}, {"phases", m.phases}};
}

json fields(const SiftingAnnouncement& m) { return {{"windows", bits_to_string(m.windows)}}; }

json fields(const DecoyAnnouncement& m) {
    json entries = json::array();
    for (const auto& e : m.entries)
        entries.push_back({{"index", e.index}, {"setting", e.setting}, {"phase_slice", e.phase_slice}});
    return {{"entries", std::move(entries)}};
}

json fields(const EstimationDisclosure& m) {
    return {{"indices", m.indices}, {"values", bits_to_string(m.values)}};
}

json fields(const AoppPairing& m) {
    json pairs = json::array();
    for (const auto& p : m.pairs) pairs.push_back({{"first", p.first}, {"second", p.second}});
    return {{"bob_zeros", m.bob_zeros}, {"bob_ones", m.bob_ones}, {"pairs", std::move(pairs)}};
}

json fields(const AoppParity& m) { return {{"parities", bits_to_string(m.parities)}}; }

json fields(const CascadeParityQuery& m) {
    json ranges = json::array();
    for (const auto& r : m.ranges) ranges.push_back({{"start", r.start}, {"length", r.length}});
    return {{"query_id", m.query_id},
            {"pass", m.pass},
            {"permutation_seed", m.permutation_seed},
            {"ranges", std::move(ranges)}};
}

json fields(const CascadeParityReply& m) {
    return {{"query_id", m.query_id}, {"parities", bits_to_string(m.parities)}};
}

json fields(const LdpcSyndrome& m) {
    return {{"code_id", m.code_id}, {"frame_index", m.frame_index}, {"syndrome", bits_to_string(m.syndrome)}};
}

json fields(const Verification& m) {
    return {{"algorithm", as_int(m.algorithm)}, {"seed", to_hex(m.seed)}, {"tag", to_hex(m.tag)}};
}

json fields(const PrivacyAmplification& m) {
    return {{"algorithm", as_int(m.algorithm)},
            {"input_bits", m.input_bits},
            {"output_bits", m.output_bits},
            {"seed", bits_to_string(m.seed)}};
}

json fields(const KeyConfirmation& m) {
    return {{"key_bits", m.key_bits}, {"confirmation", to_hex(m.confirmation)}};
}

json fields(const Abort& m) { return {{"reason", as_int(m.reason)}, {"detail", m.detail}}; }

}  // namespace

std::string bits_to_string(const PackedBits& bits) {
    std::string out(static_cast<std::size_t>(bits.size()), '0');
    for (std::uint64_t i = 0; i < bits.size(); ++i)
        if (bits.get(i)) out[static_cast<std::size_t>(i)] = '1';
    return out;
}

json to_json(const Message& message) {
    return std::visit(
        [](const auto& m) {
            json out = fields(m);
            out["block_id"] = m.block_id;
            return out;
        },
        message);
}

json to_json(const FrameView& frame) {
    json out = {{"version", kVersion},
                {"type", static_cast<int>(frame.header.type)},
                {"sender", static_cast<int>(frame.header.sender)},
                {"receiver", static_cast<int>(frame.header.receiver)},
                {"session_id", frame.header.session_id},
                {"sequence", frame.header.sequence},
                {"payload", to_hex(frame.payload)}};
    if (!frame.tag.empty()) out["tag"] = to_hex(frame.tag);
    return out;
}

}  // namespace tfqkd::wire
