// A party's random choices for every slot of a block, as a pure function of (parameters, party,
// seed, slot): the setting, the key bit of the families whose bit is a phase, and the random phase
// with its announced slice.
//
// Why here: the parties of protocol/ look up their own choices for the slots Charlie reports, and the
// simulated devices of hardware_model/ send light according to the same choices. Neither layer may
// include the other (docs/architecture.md), and the choices are part of the experiment's vocabulary,
// which security/ owns. Computing a choice from the slot number rather than storing it lets a block
// of 10^11 slots be simulated and sifted in memory proportional to its heralds, and lets a party
// answer for a slot that a lying Charlie invents.
//
// The generator is CounterRng (base/rng.hpp): statistically good, NOT cryptographic. A real device
// draws its choices from a quantum random-number generator; the reference parties use this for
// simulation only, which docs/protocol.md states.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "security/experiment.hpp"

namespace tfqkd::security {

enum class Party : std::uint8_t { alice = 0, bob = 1 };

// What a party did in one slot.
struct SlotChoice {
    std::uint8_t setting = 0;  // index into the party's settings
    // The key bit of a PM or CAL19 key-mode slot: the pulse's phase is shifted by pi * bit. 0 in
    // every other slot (the SNS bit is the setting itself: sending or not).
    std::uint8_t bit = 0;
    // The random phase in [0, 2 pi) of a phase-randomised pulse, and its slice floor(phase M / 2 pi)
    // in [0, M). CAL19's key mode is phase-locked: phase 0, slice 0.
    double phase = 0;
    std::uint16_t slice = 0;
    bool operator==(const SlotChoice&) const = default;
};

class ChoiceSource {
public:
    // Checks that the family is SNS, PM or CAL19 (mode pairing pairs rounds after the fact and is not
    // run as a session yet: an error naming "family"), that the party has at most 256 settings and
    // that M <= 65536; the settings themselves are checked by validate(protocol).
    static Result<ChoiceSource> create(const ProtocolParameters& protocol, Party party, std::uint64_t seed);

    // The choices of slot `slot`; any slot in [0, 2^64).
    SlotChoice at(std::uint64_t slot) const noexcept;
    // The setting of slot `slot` alone: at(slot).setting from the one generator output it takes, for
    // simulators that look at the setting first and at the bit and phase only when they need them.
    std::uint8_t setting_at(std::uint64_t slot) const noexcept;

    // The number of settings and M the source was created with (to check that two sources and a
    // protocol belong together).
    std::size_t settings() const noexcept { return cumulative_.size(); }
    std::uint32_t slices() const noexcept { return slices_; }

    Party party() const noexcept { return party_; }
    // Whether the pulses of `setting` carry a random phase (every setting except CAL19's key mode).
    bool phase_randomised(std::uint8_t setting) const noexcept { return setting != locked_setting_; }

private:
    ChoiceSource(CounterRng rng, Party party) : rng_(rng), party_(party) {}
    CounterRng rng_;
    Party party_;
    std::vector<double> cumulative_;  // cumulative probabilities of the settings; the last is 1
    std::vector<std::uint8_t> key_bit_settings_;  // 1 where the setting's key bit is a phase (PM, CAL19 key)
    std::uint32_t slices_ = 1;
    int locked_setting_ = -1;  // CAL19's key setting, or -1
};

}  // namespace tfqkd::security
