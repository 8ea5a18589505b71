// libFuzzer target for the outcome files a vendor's shim writes (conformance/shim.hpp,
// docs/vendor-guide.md 7.1): the one file the harness reads from an implementation under test.
// Beyond "no crash, no leak": parse_outcome never throws, a rejection says what was wrong, and an
// accepted outcome written back with outcome_json reads again to the same outcome.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "conformance/shim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace shim = tfqkd::conformance::shim;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = shim::parse_outcome(text, "outcome.json");
    if (!parsed) {
        if (parsed.error().detail.empty()) std::abort();
        return 0;
    }
    const std::string written = shim::outcome_json(*parsed).dump();
    const auto again = shim::parse_outcome(written, "outcome.json");
    if (!again) std::abort();
    if (shim::outcome_json(*again).dump() != written) std::abort();
    if (again->done != parsed->done || again->key_sha256 != parsed->key_sha256 || again->metadata != parsed->metadata ||
        again->reason != parsed->reason)
        std::abort();
    return 0;
}
