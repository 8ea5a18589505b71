// Alice's proposal of a block's parameters, to Bob and to Charlie.
// docs/wire-format.md, section 5.1. Encode and decode live in protocol/wire/session_params.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/wire/codec.hpp"

namespace tfqkd::wire {

struct SessionParams {
    static constexpr MessageType kType = MessageType::session_params;
    static constexpr std::string_view kName = "session_params";

    enum class Family : std::uint8_t { sns = 1, pm = 2, cal19 = 3, mode_pairing = 4 };
    enum class Window : std::uint8_t { z = 0, x = 1 };  // key window Z, test window X
    // Capability bits (WF-SP-4).
    static constexpr std::uint32_t kCapAopp = 1U << 0;
    static constexpr std::uint32_t kCapCascade = 1U << 1;
    static constexpr std::uint32_t kCapLdpc = 1U << 2;
    static constexpr std::uint32_t kCapPhaseReference = 1U << 3;
    static constexpr std::uint32_t kCapAll = 0xF;
    static constexpr std::size_t kMaxSettings = 16;
    static constexpr std::uint16_t kMaxPhaseSlices = 1024;
    static constexpr double kMaxIntensity = 100.0;
    static constexpr double kProbabilityTolerance = 1e-9;  // WF-SP-2

    struct Setting {
        Window window = Window::z;
        double intensity = 0.0;    // mean photon number per pulse, 0..100
        double probability = 1.0;  // (0, 1]
        bool operator==(const Setting&) const = default;
    };

    std::uint64_t block_id = 0;
    Family family = Family::sns;
    std::uint64_t pulse_count = 1;   // 1..2^48
    std::uint16_t phase_slices = 1;  // 1..1024
    std::vector<Setting> alice_settings;  // 1..16 entries
    std::vector<Setting> bob_settings;    // 1..16 entries
    double eps_cor = 1e-15;
    double eps_pa = 1e-10;
    double eps_pe = 1e-10;
    double eps_total = 1e-9;
    std::uint32_t capabilities = 0;

    static Result<SessionParams> read(Reader& reader);
    void write(Writer& writer) const;
    Status check() const;
    bool operator==(const SessionParams&) const = default;
};

}  // namespace tfqkd::wire
