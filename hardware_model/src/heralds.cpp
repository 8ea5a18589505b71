// The heralds of a block driven by the parties' choices: hardware_model/heralds.hpp,
// docs/hardware-model.md 3.7.
#include "hardware_model/heralds.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "hardware_model/sampled.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::Family;
using security::ProtocolParameters;

constexpr std::uint64_t kStreamHeralds = 0x4845'5241'4C44ULL;  // CounterRng stream of the heralds
constexpr std::uint64_t kStreamTally = 0x5441'4C4C'59ULL;      // ... of the unheralded windows
constexpr std::uint64_t kMaxPulses = 1ULL << 53;               // counts are exact doubles up to 2^53
constexpr std::string_view kHeralds = "herald_stream";

// Uniform in (0, 1]: safe under a logarithm.
double uniform_open(CounterRng& rng) noexcept { return static_cast<double>((rng.next() >> 11) + 1) * 0x1.0p-53; }

}  // namespace

SliceMatch match_slices(std::uint32_t sa, std::uint32_t sb, std::uint32_t m, std::uint32_t k) noexcept {
    // docs/security.md 4.2 (SNS) and 7 (PM): with d = (s_A - s_B) mod M, kept around 0 when
    // min(d, M - d) <= k, and, for even M, around pi when |d - M/2| <= k.
    const std::uint32_t d = (sa % m + m - sb % m) % m;
    SliceMatch r;
    r.zero = std::min(d, m - d) <= k;
    if (m % 2 == 0) {
        const std::uint32_t half = m / 2;
        r.pi = d + k >= half && d <= half + k;
    }
    return r;
}

Result<HeraldStream> HeraldStream::create(const ProtocolParameters& protocol, const Link& link,
                                          security::ChoiceSource alice, security::ChoiceSource bob,
                                          std::uint64_t seed) {
    if (protocol.family != Family::sns && protocol.family != Family::pm && protocol.family != Family::cal19)
        return make_error(Errc::invalid_argument, kHeralds, "family",
                          "the herald stream runs SNS, PM and CAL19 blocks");
    TFQKD_TRY(security::validate(protocol));
    TFQKD_TRY(validate_link(link));
    if (protocol.pulses > kMaxPulses)
        return make_error(Errc::out_of_range, kHeralds, "pulses", "N must be at most 2^53");
    if (alice.party() != security::Party::alice || alice.settings() != protocol.alice.size() ||
        alice.slices() != protocol.phase_slices)
        return make_error(Errc::inconsistent, kHeralds, "alice",
                          "Alice's choice source must be hers, created from the same protocol");
    if (bob.party() != security::Party::bob || bob.settings() != protocol.bob.size() ||
        bob.slices() != protocol.phase_slices)
        return make_error(Errc::inconsistent, kHeralds, "bob",
                          "Bob's choice source must be his, created from the same protocol");

    HeraldStream s(alice, bob);
    s.seed_ = seed;
    s.rng_ = CounterRng(seed, kStreamHeralds);
    s.pulses_ = protocol.pulses;
    s.slices_ = protocol.phase_slices;
    s.match_k_ = protocol.phase_match_slices;
    s.phase_noise_ = link.phase_noise_rad;
    s.bob_settings_ = protocol.bob.size();
    s.log_q_ = std::log1p(-link.dark_count_probability);
    // Slice-match probability of two independent uniform slices: the accepted differences d in
    // [0, M), counted (the union of the two bands, so overlapping bands are not counted twice), / M.
    std::uint64_t accepted = 0;
    for (std::uint32_t d = 0; d < s.slices_; ++d) if (match_slices(d, 0, s.slices_, s.match_k_).any()) ++accepted;
    s.match_fraction_ = static_cast<double>(accepted) / s.slices_;

    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    // Misalignment sends a fraction e_d of each output's light to the other detector: the
    // interference term is reduced by v = 1 - 2 e_d (channel.cpp, clicks_at_phase).
    const double visibility = 1 - 2 * link.misalignment;
    std::vector<double> herald(protocol.alice.size() * protocol.bob.size());
    for (std::size_t i = 0; i < protocol.alice.size(); ++i) {
        for (std::size_t j = 0; j < protocol.bob.size(); ++j) {
            const double a = eta_a * protocol.alice[i].intensity;  // arriving mean photon numbers
            const double b = eta_b * protocol.bob[j].intensity;
            ClassModel c;
            c.half_sum = (a + b) / 2;
            c.coupling = visibility * std::sqrt(a * b);
            c.matchable = alice.phase_randomised(static_cast<std::uint8_t>(i)) &&
                          bob.phase_randomised(static_cast<std::uint8_t>(j));
            // The two outputs carry I_L + I_R = a + b at every phase, so the slot stays dark with
            // probability (1 - p_d)^2 e^{-(a+b)} whatever the phases (docs/hardware-model.md 3.4).
            const double dark = std::exp(2 * s.log_q_ - a - b);
            herald[i * s.bob_settings_ + j] = -std::expm1(2 * s.log_q_ - a - b);
            c.unheralded = protocol.alice[i].probability * protocol.bob[j].probability * dark;
            s.classes_.push_back(c);
        }
    }
    s.p_max_ = *std::max_element(herald.begin(), herald.end());
    for (std::size_t idx = 0; idx < herald.size(); ++idx)
        s.classes_[idx].acceptance = s.p_max_ > 0 ? herald[idx] / s.p_max_ : 0;
    // Gaps of a Bernoulli(p_max) process: P(G >= g) = (1 - p_max)^g, log(1 - p_max) by log1p (exact
    // for small p_max). p_max = 1 gives 1 / -inf = -0 and every gap 0.
    s.alice_bound_.assign(protocol.alice.size(), 0);
    for (std::size_t idx = 0; idx < herald.size(); ++idx)
        s.alice_bound_[idx / s.bob_settings_] = std::max(s.alice_bound_[idx / s.bob_settings_], s.classes_[idx].acceptance);
    s.inv_log_no_candidate_ = 1 / std::log1p(-s.p_max_);
    s.heralded_windows_.assign(s.classes_.size(), 0);
    s.heralded_matched_.assign(s.classes_.size(), 0);
    if (!(s.p_max_ > 0) || s.pulses_ == 0) s.done_ = true;
    return s;
}

std::size_t HeraldStream::next(std::span<Herald> out) noexcept {
    std::size_t k = 0;
    while (k < out.size() && !done_) {
        // Next candidate: a geometric gap by inversion of a uniform in (0, 1] (as EventStream).
        const double gap = std::floor(std::log(uniform_open(rng_)) * inv_log_no_candidate_);
        const double room = static_cast<double>(pulses_ - next_slot_);
        if (!(gap < room)) {
            next_slot_ = pulses_;
            done_ = true;
            break;
        }
        const std::uint64_t slot = next_slot_ + static_cast<std::uint64_t>(gap);
        next_slot_ = slot + 1;
        ++candidates_;
        // Thinning (Lewis and Shedler, Naval Res. Logist. Q. 26 (1979) 403, in its discrete form): a
        // candidate of the Bernoulli(p_max) process is kept with probability h_ij / p_max, so the
        // slot heralds with probability h_ij given the parties' settings. Only the settings are
        // looked up here; the bits and phases only for kept slots.
        // One uniform u decides: kept iff u < h_ij / p_max. It is first compared with Alice's bound
        // max_j h_ij / p_max >= h_ij / p_max, so that a rejection there (about half of her vacuum
        // settings' candidates) needs no look-up of Bob's setting; the decision is the same.
        const double u = rng_.uniform();
        const std::size_t i = alice_.setting_at(slot);
        if (!(u < alice_bound_[i])) continue;
        const std::size_t idx = i * bob_settings_ + bob_.setting_at(slot);
        if (!(u < classes_[idx].acceptance)) continue;
        out[k].slot = slot;
        out[k].outcome = draw_outcome(slot, idx);
        ++heralded_windows_[idx];
        ++heralds_;
        ++k;
    }
    if (next_slot_ >= pulses_) done_ = true;
    return k;
}

Outcome HeraldStream::draw_outcome(std::uint64_t slot, std::size_t idx) noexcept {
    const ClassModel& c = classes_[idx];
    double interference = 0;
    if (c.coupling > 0 || c.matchable) {
        const security::SlotChoice ca = alice_.at(slot);
        const security::SlotChoice cb = bob_.at(slot);
        if (c.matchable && match_slices(ca.slice, cb.slice, slices_, match_k_).any()) ++heralded_matched_[idx];
        if (c.coupling > 0) {
            // Relative phase at the beam splitter: each pulse carries its random phase (0 when phase
            // locked) plus pi times its key bit; the link adds Gaussian noise of deviation sigma
            // (channel.hpp: at delta = 0 the light goes left).
            double delta = (ca.phase + std::numbers::pi * ca.bit) - (cb.phase + std::numbers::pi * cb.bit);
            if (phase_noise_ > 0) {
                // Box-Muller (Box and Muller, Ann. Math. Statist. 29 (1958) 610), 53-bit uniforms.
                const double r = std::sqrt(-2 * std::log(uniform_open(rng_)));
                delta += phase_noise_ * r * std::cos(2 * std::numbers::pi * rng_.uniform());
            }
            interference = c.coupling * std::cos(delta);
        }
    }
    // Output intensities (a+b)/2 +- v sqrt(ab) cos(delta) and each detector's click probability
    // 1 - (1 - p_d) e^{-I} (channel.cpp, clicks_at_phase), written with expm1 so that it keeps its
    // relative precision at high loss. Given a herald the outcome is left only / right only / both
    // in proportion to their probabilities.
    const double click_left = -std::expm1(log_q_ - (c.half_sum + interference));
    const double click_right = -std::expm1(log_q_ - (c.half_sum - interference));
    const double only_left = click_left * (1 - click_right);
    const double only_right = (1 - click_left) * click_right;
    const double u = rng_.uniform() * (only_left + only_right + click_left * click_right);
    return u < only_left ? Outcome::left : u < only_left + only_right ? Outcome::right : Outcome::both;
}

WindowTally HeraldStream::tally() const {
    WindowTally t;
    t.bob_settings = bob_settings_;
    const std::size_t n = classes_.size();
    // The N - H unheralded slots: given the heralds, each is an independent slot conditioned on no
    // click, so its cell (alice setting, bob setting, slices matched or not) has probability
    // proportional to p_i p_j (1 - h_ij) P(cell | i, j); the herald probability does not depend on
    // the phases, so P(matched | i, j) is the slice-match fraction for phase-randomised pairs and 0
    // otherwise. A multinomial over the 2 n cells (sampled.hpp).
    std::vector<double> weights(2 * n);
    for (std::size_t idx = 0; idx < n; ++idx) {
        const double f = classes_[idx].matchable ? match_fraction_ : 0.0;
        weights[2 * idx] = classes_[idx].unheralded * f;
        weights[2 * idx + 1] = classes_[idx].unheralded * (1 - f);
    }
    std::vector<std::uint64_t> cells(2 * n, 0);
    CounterRng rng(seed_, kStreamTally);
    sample_multinomial(rng, pulses_ - heralds_, weights, cells);
    t.windows.resize(n);
    t.matched.resize(n);
    for (std::size_t idx = 0; idx < n; ++idx) {
        t.windows[idx] = heralded_windows_[idx] + cells[2 * idx] + cells[2 * idx + 1];
        t.matched[idx] = heralded_matched_[idx] + cells[2 * idx];
    }
    return t;
}

}  // namespace tfqkd::hardware_model
