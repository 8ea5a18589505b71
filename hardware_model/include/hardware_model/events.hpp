// The event stream of an SNS session: the heralded slots only, each with both parties' settings,
// their phase slices (X windows), Charlie's outcome and the ground truth, generated in bounded
// memory for sessions of up to 2^53 slots and reproducible from a seed. Slots that herald nothing
// are skipped by geometric gaps drawn from the exact per-slot herald probability, which does not
// depend on the phases, so the statistics stay exact. docs/hardware-model.md, section 3.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/sampled.hpp"
#include "security/experiment.hpp"

namespace tfqkd::hardware_model {

// Charlie's announcement for a heralded slot. `both` (both detectors clicked) is kept in the stream
// so that the aggregate has ClassCounts::both; it is not an effective event, and a protocol may
// drop it.
enum class Outcome : std::uint8_t { left = 0, right = 1, both = 2 };

inline constexpr std::uint16_t kNoSlice = 0xFFFF;       // Z windows announce no phase slice
inline constexpr std::uint8_t kUnknownPhotons = 0xFF;  // both parties sent light: not tracked
inline constexpr std::uint8_t kMaxPhotons = 254;       // larger photon numbers are reported as 254

struct Event {
    std::uint64_t slot = 0;               // in [0, N), strictly increasing along the stream
    std::uint16_t alice_slice = kNoSlice; // phase slice in [0, M) for an X-window setting
    std::uint16_t bob_slice = kNoSlice;
    std::uint8_t alice_setting = 0;       // index into ProtocolParameters::alice
    std::uint8_t bob_setting = 0;
    Outcome outcome = Outcome::left;
    // Ground truth, never announced. Photon numbers are known when at most one party sent light
    // (intensity 0 gives 0); otherwise kUnknownPhotons.
    std::uint8_t alice_photons = kUnknownPhotons;
    std::uint8_t bob_photons = kUnknownPhotons;
    std::uint8_t flags = 0;

    static constexpr std::uint8_t kUntagged = 1;    // an untagged bit (GroundTruth's definition)
    static constexpr std::uint8_t kPhaseError = 2;  // untagged, and its virtual X measurement errs
    bool untagged() const noexcept { return (flags & kUntagged) != 0; }
    bool phase_error() const noexcept { return (flags & kPhaseError) != 0; }
    bool effective() const noexcept { return outcome != Outcome::both; }
};

// The slots the stream did not materialise, summarised once it has ended: the windows of every
// setting pair in which no detector clicked, and how many of the X1-X1 ones had matching slices.
// Sampled exactly given the heralds (the settings and phases of a slot without a click are
// independent of the heralded ones), from its own counter stream.
struct UnheraldedWindows {
    std::vector<std::uint64_t> windows;  // index alice * |bob settings| + bob
    std::uint64_t matched_zero = 0;      // X1-X1 windows with slices within k of each other
    std::uint64_t matched_pi = 0;        // X1-X1 windows with slices within k of M/2 apart (M even)
};

class EventStream {
public:
    // The same checks as sample_statistics (validate_simulation): the 3- and 4-intensity SNS
    // protocols. With AOPP the stream is the same (pairing is post-processing by the protocol layer).
    static Result<EventStream> create(const security::ProtocolParameters& protocol, const Link& link,
                                      std::uint64_t seed);

    // Writes the next events into `out` (at most out.size()) and returns how many; 0 once the
    // session has ended. The sequence does not depend on how it is cut into batches.
    std::size_t next(std::span<Event> out) noexcept;
    bool done() const noexcept { return done_; }

    std::uint64_t pulses() const noexcept { return pulses_; }
    std::uint64_t heralds() const noexcept { return heralds_; }
    // The exact probability that a slot heralds (at least one click).
    double herald_probability() const noexcept { return herald_probability_; }

    // The unheralded windows; meaningful once done() (before, it summarises the slots not yet
    // generated as if the stream had ended). Deterministic for a seed.
    UnheraldedWindows unheralded() const;

private:
    // Per setting pair: how to draw the outcome of a heralded slot.
    struct ClassModel {
        std::uint8_t alice = 0;
        std::uint8_t bob = 0;
        bool alice_x = false;
        bool bob_x = false;
        bool two_sided = false;          // both send light: the outcome depends on the phases
        bool alice_sends = false;        // one-sided: the table's photon number is Alice's
        std::uint8_t untagged_side = 0;  // 1: Alice z_send, Bob z_silent; 2: the reverse; 0: neither
        std::uint32_t table_begin = 0;   // one-sided and vacuum: entries of table_
        std::uint32_t table_end = 0;
        double half_sum = 0;  // (a + b) / 2, a and b the arriving mean photon numbers
        double coupling = 0;  // v sqrt(ab)
    };
    // (photons, outcome) of a one-sided class with its cumulative probability given a herald.
    struct TableEntry {
        double cumulative = 0;
        std::uint8_t photons = 0;
        Outcome outcome = Outcome::left;
    };

    EventStream() = default;
    void generate(Event& e) noexcept;

    std::uint64_t seed_ = 0;
    std::uint64_t pulses_ = 0;
    std::uint64_t next_slot_ = 0;
    std::uint64_t heralds_ = 0;
    bool done_ = false;
    double herald_probability_ = 0;
    double inv_log_no_herald_ = 0;  // 1 / log(1 - herald probability)
    double phase_error_probability_ = 0;
    double slice_width_ = 0;
    double phase_noise_ = 0;
    double log_q_ = 0;              // log(1 - p_d)
    std::uint32_t slices_ = 1;
    std::size_t bob_settings_ = 0;
    std::size_t x1x1_ = 0;          // class index of the X1-X1 pair
    std::uint32_t match_slices_ = 0;
    CounterRng rng_{0};
    // The cached second normal of a Box-Muller pair.
    double spare_normal_ = 0;
    bool have_spare_ = false;
    std::vector<ClassModel> classes_;
    std::vector<TableEntry> table_;
    std::vector<double> alias_probability_;  // Vose's alias table over the classes given a herald
    std::vector<std::uint32_t> alias_;
    std::vector<std::uint64_t> class_heralds_;
    std::vector<double> unheralded_weight_;  // p_i p_j (1 - h_ij)
};

// Accumulates a stream into the statistics and ground truth of sample_statistics (same format, same
// order of classes and compositions: for the 3-intensity protocol the one-sided Z classes after the
// X-X ones), so that the two fidelities can be compared. It gives the raw key: AOPP is refused
// (field "aopp"); the pairing acts on the events, in the protocol layer.
class EventAggregator {
public:
    static Result<EventAggregator> create(const security::ProtocolParameters& protocol, const Link& link);
    void add(std::span<const Event> events) noexcept;
    SampledRun finish(const UnheraldedWindows& unheralded) const;

private:
    EventAggregator() = default;
    security::ProtocolParameters protocol_;
    SnsSimulationRoles roles_;
    Link link_;
    std::size_t bob_settings_ = 0;
    // Heralded counts per class: left, right, both; effective heralds by photon group.
    std::vector<std::array<std::uint64_t, 3>> outcomes_;
    std::vector<std::array<std::uint64_t, kPhotonGroups>> photon_heralds_;
    std::uint64_t matched_windows_ = 0, matched_effective_ = 0, matched_errors_ = 0;
    std::uint64_t untagged_alice_ = 0, untagged_bob_ = 0, phase_errors_ = 0;
};

// Runs a whole stream through an aggregator, in batches of `batch` events.
Result<SampledRun> simulate_event_statistics(const security::ProtocolParameters& protocol, const Link& link,
                                             std::uint64_t seed, std::size_t batch = 4096);

}  // namespace tfqkd::hardware_model
