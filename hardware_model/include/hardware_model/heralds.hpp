// The detector clicks of a whole block, driven by the parties' own per-slot choices
// (security::ChoiceSource): the heralded slots with Charlie's outcome, for SNS (with or without AOPP:
// the clicks are the same), PM and CAL19, for blocks of up to 2^53 slots in memory independent of N,
// reproducible from a seed and independent of how the stream is cut into batches. The unheralded
// windows are summarised at the end by a tally sampled from their exact conditional law.
// docs/hardware-model.md, section 3.7, gives the algorithm and the exactness argument.
//
// Unlike EventStream (events.hpp), which draws each heralded slot's settings and phases itself, this
// stream takes them from the parties' choice sources, so a session can hand the heralds to parties
// that look up their own choices for the same slots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "hardware_model/channel.hpp"
#include "hardware_model/events.hpp"
#include "security/choices.hpp"
#include "security/experiment.hpp"

namespace tfqkd::hardware_model {

// One heralded slot: at least one detector clicked. `both` is not an effective event.
struct Herald {
    std::uint64_t slot = 0;  // in [0, N), strictly increasing along the stream
    Outcome outcome = Outcome::left;
    bool operator==(const Herald&) const = default;
};

// Every window of the block by class, heralded or not: what the public announcement of every
// window's settings and slices would give. The heralded windows are counted from the stream; the
// N - H unheralded ones are NOT enumerated slot by slot but sampled from their exact conditional law
// given the heralds (a multinomial, docs/hardware-model.md 3.7).
struct WindowTally {
    std::size_t bob_settings = 0;          // row length
    // Index alice * bob_settings + bob: the slots in which Alice chose `alice` and Bob `bob`.
    std::vector<std::uint64_t> windows;
    // Same index: of those, the ones in which both pulses were phase-randomised (every setting but
    // CAL19's key mode) and the slices matched: within phase_match_slices of each other (cyclically
    // mod M) or, for even M, within phase_match_slices of M/2 apart (docs/security.md 4.2 and 7). In
    // SNS only the X1-X1 entry is announced by the protocol (Z windows announce no slice); the others
    // are what an announcement would give.
    std::vector<std::uint64_t> matched;

    std::size_t index(std::size_t alice, std::size_t bob) const noexcept { return alice * bob_settings + bob; }
};

// Whether two slices are phase-matched in the sense of WindowTally::matched: around 0 and around pi.
struct SliceMatch {
    bool zero = false;
    bool pi = false;
    bool any() const noexcept { return zero || pi; }
};
SliceMatch match_slices(std::uint32_t alice_slice, std::uint32_t bob_slice, std::uint32_t slices,
                        std::uint32_t match_slices) noexcept;

class HeraldStream {
public:
    // `alice` and `bob` must be the parties' sources for `protocol` (party alice and bob, the same
    // numbers of settings and M). Accepts the families SNS (3- or 4-intensity, with or without
    // AOPP), PM and CAL19 with valid parameters (security::validate), N <= 2^53, and a valid link
    // (validate_link). Errors name the field.
    static Result<HeraldStream> create(const security::ProtocolParameters& protocol, const Link& link,
                                       security::ChoiceSource alice, security::ChoiceSource bob, std::uint64_t seed);

    // Writes the next heralds into `out` (at most out.size()) and returns how many; 0 once the block
    // has ended. The sequence does not depend on how it is cut into batches.
    std::size_t next(std::span<Herald> out) noexcept;
    bool done() const noexcept { return done_; }

    std::uint64_t pulses() const noexcept { return pulses_; }
    std::uint64_t heralds() const noexcept { return heralds_; }
    // Candidate slots examined so far (the slots of the Bernoulli(p_max) thinning process).
    std::uint64_t candidates() const noexcept { return candidates_; }
    // p_max: the largest per-slot herald probability over the setting pairs.
    double candidate_probability() const noexcept { return p_max_; }

    // Every window of the block by class (WindowTally). Meaningful once done(); before, it treats the
    // slots not yet generated as unheralded. Deterministic for a seed (its own counter stream).
    WindowTally tally() const;

private:
    // Per setting pair (alice * B + bob).
    struct ClassModel {
        double acceptance = 0;  // h_ij / p_max
        double half_sum = 0;    // (a + b) / 2, a and b the arriving mean photon numbers
        double coupling = 0;    // v sqrt(ab), v = 1 - 2 e_d: 0 when the phases do not matter
        double unheralded = 0;  // p_i p_j (1 - h_ij)
        bool matchable = false; // both settings phase-randomised: slices are compared
    };

    HeraldStream(security::ChoiceSource alice, security::ChoiceSource bob)
        : alice_(alice), bob_(bob) {}
    Outcome draw_outcome(std::uint64_t slot, std::size_t idx) noexcept;

    security::ChoiceSource alice_;
    security::ChoiceSource bob_;
    std::uint64_t seed_ = 0;
    std::uint64_t pulses_ = 0;
    std::uint64_t next_slot_ = 0;
    std::uint64_t heralds_ = 0;
    std::uint64_t candidates_ = 0;
    bool done_ = false;
    double p_max_ = 0;
    double inv_log_no_candidate_ = 0;  // 1 / log(1 - p_max)
    double log_q_ = 0;                 // log(1 - p_d)
    double phase_noise_ = 0;
    double match_fraction_ = 0;        // P(slices matched) for independent uniform slices
    std::uint32_t slices_ = 1;
    std::uint32_t match_k_ = 0;
    std::size_t bob_settings_ = 0;
    CounterRng rng_{0};
    std::vector<ClassModel> classes_;
    std::vector<double> alice_bound_;  // per Alice setting: max_j h_ij / p_max
    std::vector<std::uint64_t> heralded_windows_;  // per class
    std::vector<std::uint64_t> heralded_matched_;
};

}  // namespace tfqkd::hardware_model
