// libFuzzer target for the network scenario files of `tfqkd network` (network/scenario.hpp,
// docs/network.md). Beyond "no crash, no leak": parse_network_scenario never throws, a rejection
// names what was wrong, and an accepted scenario written back with network_scenario_json reads
// again to the same scenario (its written form is then a fixed point), so jobs written by
// `--jobs` and `--write-scenario` mean what was read.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "network/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace net = tfqkd::network;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = net::parse_network_scenario(text);
    if (const auto* error = std::get_if<net::InputError>(&parsed)) {
        if (error->message.empty()) std::abort();
        return 0;
    }
    const std::string written = net::network_scenario_json(std::get<net::NetworkScenario>(parsed)).dump();
    const auto again = net::parse_network_scenario(written);
    const auto* s = std::get_if<net::NetworkScenario>(&again);
    if (s == nullptr) std::abort();
    if (net::network_scenario_json(*s).dump() != written) std::abort();
    return 0;
}
