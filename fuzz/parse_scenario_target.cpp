// libFuzzer target for the input files of `tfqkd keyrate` and `tfqkd simulate`
// (hardware_model/scenario.hpp, docs/keyrate.md). Beyond "no crash, no leak": parse_scenario never throws,
// a rejection says what was wrong, and an accepted scenario's protocol, security parameters and
// counts, written back with protocol_json / security_json / counts_json in place of the originals,
// read again to equal values (the round trip scenario.hpp promises).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "hardware_model/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace scenario = tfqkd::hardware_model::scenario;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = scenario::parse_scenario(text);
    if (const auto* error = std::get_if<scenario::InputError>(&parsed)) {
        if (error->message.empty()) std::abort();
        return 0;
    }
    const scenario::Scenario& s = std::get<scenario::Scenario>(parsed);

    // The input parsed, so it is a JSON object without repeated keys; replace the three parts.
    nlohmann::ordered_json root = nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object()) std::abort();
    root["protocol"] = scenario::protocol_json(s.protocol);
    root["security"] = scenario::security_json(s.security);
    if (s.kind == scenario::Kind::certify) root["counts"] = scenario::counts_json(s.counts, s.protocol.family);
    const auto again = scenario::parse_scenario(root.dump());
    const auto* t = std::get_if<scenario::Scenario>(&again);
    if (t == nullptr) std::abort();
    if (t->kind != s.kind || !(t->protocol == s.protocol) || !(t->security == s.security) || !(t->counts == s.counts))
        std::abort();
    if (t->description != s.description || t->ec_efficiency != s.ec_efficiency || t->clock_hz != s.clock_hz ||
        t->seed != s.seed)
        std::abort();
    return 0;
}
