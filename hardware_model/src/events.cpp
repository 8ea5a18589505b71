// The event stream of an SNS session and its aggregation: docs/hardware-model.md, section 3.
#include "hardware_model/events.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tfqkd::hardware_model {
namespace {

using security::Count;
using security::ProtocolParameters;
using security::Window;

constexpr std::uint64_t kStreamEvents = 0x4556'454E'5453ULL;      // CounterRng stream of the events
constexpr std::uint64_t kStreamUnheralded = 0x554E'4845'5244ULL;  // ... of the unheralded summary
constexpr double kMaxStreamIntensity = 100;  // photon-number tables end at 254 photons

double uniform_open(CounterRng& rng) noexcept { return static_cast<double>((rng.next() >> 11) + 1) * 0x1.0p-53; }

// Probability that a slot of a setting pair heralds (at least one click). The two output
// intensities add up to a + b whatever the phase, so P(no click) = (1 - p_d)^2 e^{-(a+b)}: the
// herald probability does not depend on the phases (docs/hardware-model.md 3.4).
double herald_probability_of(double a, double b, double log_q) noexcept { return -std::expm1(2 * log_q - a - b); }

// Slices kept around 0 and around pi (docs/security.md 3): with d = (s_A - s_B) mod M.
struct Match {
    bool zero = false;
    bool pi = false;
};
Match classify(std::uint32_t sa, std::uint32_t sb, std::uint32_t m, std::uint32_t k) noexcept {
    const std::uint32_t d = (sa + m - sb) % m;
    Match r;
    r.zero = std::min(d, m - d) <= k;
    if (m % 2 == 0) {
        const std::uint32_t half = m / 2;
        r.pi = d + k >= half && d <= half + k;
    }
    return r;
}

}  // namespace

Result<EventStream> EventStream::create(const ProtocolParameters& protocol, const Link& link, std::uint64_t seed) {
    auto roles = validate_simulation(protocol, link);
    if (!roles) return roles.error();
    for (const auto* settings : {&protocol.alice, &protocol.bob})
        for (const auto& s : *settings)
            if (s.intensity > kMaxStreamIntensity)
                return make_error(Errc::invalid_argument, "protocol", "intensity",
                                  "the event stream takes intensities up to 100 photons per pulse");
    const security::SnsRoles& ra = roles->alice;
    const security::SnsRoles& rb = roles->bob;

    EventStream s;
    s.seed_ = seed;
    s.rng_ = CounterRng(seed, kStreamEvents);
    s.pulses_ = protocol.pulses;
    s.slices_ = protocol.phase_slices;
    s.match_slices_ = protocol.phase_match_slices;
    s.slice_width_ = 2 * std::numbers::pi / protocol.phase_slices;
    s.phase_noise_ = link.phase_noise_rad;
    s.phase_error_probability_ = true_phase_error_probability(link);
    const double pd = link.dark_count_probability;
    s.log_q_ = std::log1p(-pd);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    const double visibility = 1 - 2 * link.misalignment;
    s.bob_settings_ = protocol.bob.size();

    std::vector<double> herald_weight;
    double total = 0;
    for (std::size_t i = 0; i < protocol.alice.size(); ++i) {
        for (std::size_t j = 0; j < protocol.bob.size(); ++j) {
            const auto& sa = protocol.alice[i];
            const auto& sb = protocol.bob[j];
            const double a = eta_a * sa.intensity;
            const double b = eta_b * sb.intensity;
            ClassModel c;
            c.alice = static_cast<std::uint8_t>(i);
            c.bob = static_cast<std::uint8_t>(j);
            c.alice_x = sa.window == Window::x;
            c.bob_x = sb.window == Window::x;
            c.two_sided = sa.intensity > 0 && sb.intensity > 0;
            c.half_sum = (a + b) / 2;
            c.coupling = visibility * std::sqrt(a * b);
            if (sa.window == Window::z && sb.window == Window::z) {
                if (i == ra.z_send && j == rb.z_silent) c.untagged_side = 1;
                if (i == ra.z_silent && j == rb.z_send) c.untagged_side = 2;
            }
            if (i == ra.x_weak && j == rb.x_weak) s.x1x1_ = s.classes_.size();
            if (!c.two_sided) {
                // One-sided or vacuum: a table over (photon number, outcome) given a herald.
                c.alice_sends = sa.intensity > 0;
                const double mu = c.alice_sends ? sa.intensity : sb.intensity;
                const double eta = c.alice_sends ? eta_a : eta_b;
                c.table_begin = static_cast<std::uint32_t>(s.table_.size());
                double sum = 0;
                double poisson = std::exp(-mu);
                for (std::uint32_t n = 0; n <= kMaxPhotons; ++n) {
                    const FockClicks f = fock_clicks(n, eta, pd);
                    const auto photons = static_cast<std::uint8_t>(n);
                    for (const auto& [w, o] : {std::pair{f.one_side, Outcome::left}, std::pair{f.one_side, Outcome::right},
                                               std::pair{f.both, Outcome::both}}) {
                        if (poisson * w <= 0) continue;
                        sum += poisson * w;
                        s.table_.push_back({sum, photons, o});
                    }
                    // The Poisson tail beyond here is below 1e-20 of a herald's probability mass.
                    if (mu == 0 || (static_cast<double>(n) > mu && poisson < 1e-20)) break;
                    poisson *= mu / (n + 1);
                }
                c.table_end = static_cast<std::uint32_t>(s.table_.size());
                for (std::uint32_t t = c.table_begin; t < c.table_end; ++t) s.table_[t].cumulative /= sum;
                if (c.table_end > c.table_begin) s.table_[c.table_end - 1].cumulative = 1.0;
            }
            const double w = sa.probability * sb.probability;
            const double h = herald_probability_of(a, b, s.log_q_);
            herald_weight.push_back(w * h);
            s.unheralded_weight_.push_back(w * std::exp(2 * s.log_q_ - a - b));
            total += w;
            s.classes_.push_back(c);
        }
    }
    double herald_total = 0;
    for (const double w : herald_weight) herald_total += w;
    s.herald_probability_ = std::min(1.0, herald_total / total);
    s.inv_log_no_herald_ = 1 / std::log1p(-s.herald_probability_);
    s.class_heralds_.assign(s.classes_.size(), 0);
    if (!(herald_total > 0)) {
        s.done_ = true;
        return s;
    }
    // Vose's alias method (M. D. Vose, "A linear algorithm for generating random numbers with a
    // given distribution", IEEE Trans. Software Eng. 17 (1991) 972-975) over the classes, weighted by
    // p_i p_j h_ij: the class of a heralded slot.
    const std::size_t k = herald_weight.size();
    std::vector<double> scaled(k);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < k; ++i) {
        scaled[i] = herald_weight[i] * static_cast<double>(k) / herald_total;
        (scaled[i] < 1 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    s.alias_probability_.assign(k, 1.0);
    s.alias_.resize(k);
    for (std::size_t i = 0; i < k; ++i) s.alias_[i] = static_cast<std::uint32_t>(i);
    while (!small.empty() && !large.empty()) {
        const std::uint32_t l = small.back();
        small.pop_back();
        const std::uint32_t g = large.back();
        large.pop_back();
        s.alias_probability_[l] = scaled[l];
        s.alias_[l] = g;
        scaled[g] = (scaled[g] + scaled[l]) - 1;
        (scaled[g] < 1 ? small : large).push_back(g);
    }
    // What remains in either list has probability 1 up to rounding.
    return s;
}

std::size_t EventStream::next(std::span<Event> out) noexcept {
    std::size_t k = 0;
    while (k < out.size() && !done_) {
        if (next_slot_ >= pulses_) {
            done_ = true;
            break;
        }
        // Slots before the next herald: geometric, P(G >= g) = (1 - P_h)^g (inversion of the
        // uniform; log(1) = 0 gives 0, P_h = 1 gives 0 always).
        const double gap = std::floor(std::log(uniform_open(rng_)) * inv_log_no_herald_);
        const double room = static_cast<double>(pulses_ - next_slot_);
        if (!(gap < room)) {
            next_slot_ = pulses_;
            done_ = true;
            break;
        }
        Event& e = out[k];
        e.slot = next_slot_ + static_cast<std::uint64_t>(gap);
        next_slot_ = e.slot + 1;
        generate(e);
        ++heralds_;
        ++k;
    }
    return k;
}

void EventStream::generate(Event& e) noexcept {
    std::size_t idx = static_cast<std::size_t>(rng_.below(classes_.size()));
    if (rng_.uniform() >= alias_probability_[idx]) idx = alias_[idx];
    const ClassModel& c = classes_[idx];
    ++class_heralds_[idx];
    e.alice_setting = c.alice;
    e.bob_setting = c.bob;
    e.alice_slice = c.alice_x ? static_cast<std::uint16_t>(rng_.below(slices_)) : kNoSlice;
    e.bob_slice = c.bob_x ? static_cast<std::uint16_t>(rng_.below(slices_)) : kNoSlice;
    e.flags = 0;
    if (c.two_sided) {
        // Phases uniform in their slices (Z windows too, unannounced), plus the Gaussian residual.
        const double sa = c.alice_x ? e.alice_slice : static_cast<double>(rng_.below(slices_));
        const double sb = c.bob_x ? e.bob_slice : static_cast<double>(rng_.below(slices_));
        double delta = (sa + rng_.uniform() - sb - rng_.uniform()) * slice_width_;
        if (phase_noise_ > 0) {
            double z;
            if (have_spare_) {
                z = spare_normal_;
                have_spare_ = false;
            } else {
                // Box-Muller (Box and Muller, Ann. Math. Statist. 29 (1958) 610-611).
                const double r = std::sqrt(-2 * std::log(uniform_open(rng_)));
                const double t = 2 * std::numbers::pi * rng_.uniform();
                z = r * std::cos(t);
                spare_normal_ = r * std::sin(t);
                have_spare_ = true;
            }
            delta += phase_noise_ * z;
        }
        const double interference = c.coupling * std::cos(delta);
        // Click probabilities of each detector at this phase (channel.hpp, clicks_at_phase).
        const double click_left = -std::expm1(log_q_ - (c.half_sum + interference));
        const double click_right = -std::expm1(log_q_ - (c.half_sum - interference));
        const double only_left = click_left * (1 - click_right);
        const double only_right = (1 - click_left) * click_right;
        const double u = rng_.uniform() * (only_left + only_right + click_left * click_right);
        e.outcome = u < only_left ? Outcome::left : u < only_left + only_right ? Outcome::right : Outcome::both;
        e.alice_photons = e.bob_photons = kUnknownPhotons;
        return;
    }
    const double u = rng_.uniform();
    std::uint32_t t = c.table_begin;
    while (t + 1 < c.table_end && u >= table_[t].cumulative) ++t;
    const TableEntry& entry = table_[t];
    e.outcome = entry.outcome;
    e.alice_photons = c.alice_sends ? entry.photons : 0;
    e.bob_photons = c.alice_sends ? 0 : entry.photons;
    if (c.untagged_side != 0 && entry.photons == 1 && entry.outcome != Outcome::both) {
        e.flags = Event::kUntagged;
        if (rng_.uniform() < phase_error_probability_) e.flags |= Event::kPhaseError;
    }
}

UnheraldedWindows EventStream::unheralded() const {
    CounterRng rng(seed_, kStreamUnheralded);
    UnheraldedWindows u;
    u.windows.assign(classes_.size(), 0);
    sample_multinomial(rng, pulses_ - heralds_, unheralded_weight_, u.windows);
    // Slices of a slot are independent of whether it heralded (the herald probability does not
    // depend on the phases), so the matched share of unheralded X1-X1 windows is exact.
    const double f0 = (2.0 * match_slices_ + 1) / slices_;
    const double fpi = slices_ % 2 == 0 && slices_ > 1 ? f0 : 0.0;
    std::array<std::uint64_t, 3> split{};
    const std::array<double, 3> weights{f0, fpi, std::max(0.0, 1 - f0 - fpi)};
    sample_multinomial(rng, u.windows[x1x1_], weights, split);
    u.matched_zero = split[0];
    u.matched_pi = split[1];
    return u;
}

// ---- Aggregation ------------------------------------------------------------------------------

Result<EventAggregator> EventAggregator::create(const ProtocolParameters& protocol, const Link& link) {
    auto roles = validate_simulation(protocol, link);
    if (!roles) return roles.error();
    if (protocol.aopp)
        return make_error(Errc::invalid_argument, "protocol", "aopp",
                          "the aggregator gives the raw key; AOPP pairs it in the protocol layer "
                          "(sample_statistics samples the pairing)");
    EventAggregator a;
    a.protocol_ = protocol;
    a.roles_ = *roles;
    a.link_ = link;
    a.bob_settings_ = protocol.bob.size();
    const std::size_t k = protocol.alice.size() * protocol.bob.size();
    a.outcomes_.assign(k, {});
    a.photon_heralds_.assign(k, {});
    return a;
}

void EventAggregator::add(std::span<const Event> events) noexcept {
    const std::size_t x1a = roles_.alice.x_weak;
    const std::size_t x1b = roles_.bob.x_weak;
    const std::uint32_t m = protocol_.phase_slices;
    const std::uint32_t k = protocol_.phase_match_slices;
    for (const Event& e : events) {
        const std::size_t idx = e.alice_setting * bob_settings_ + e.bob_setting;
        ++outcomes_[idx][static_cast<std::size_t>(e.outcome)];
        const bool effective = e.effective();
        if (effective && e.alice_photons != kUnknownPhotons && e.bob_photons != kUnknownPhotons) {
            const std::uint8_t n = std::max(e.alice_photons, e.bob_photons);  // the silent side has 0
            ++photon_heralds_[idx][std::min<std::size_t>(n, kPhotonGroups - 1)];
        }
        if (e.untagged()) {
            ++(e.alice_setting == roles_.alice.z_send ? untagged_alice_ : untagged_bob_);
            if (e.phase_error()) ++phase_errors_;
        }
        if (e.alice_setting == x1a && e.bob_setting == x1b) {
            const Match match = classify(e.alice_slice, e.bob_slice, m, k);
            if (match.zero || match.pi) {
                ++matched_windows_;
                if (effective) ++matched_effective_;
                if ((match.zero && e.outcome == Outcome::right) || (match.pi && e.outcome == Outcome::left))
                    ++matched_errors_;
            }
        }
    }
}

SampledRun EventAggregator::finish(const UnheraldedWindows& unheralded) const {
    SampledRun run;
    auto& stats = run.statistics;
    auto& truth = run.truth;
    const security::SnsRoles& ra = roles_.alice;
    const security::SnsRoles& rb = roles_.bob;
    truth.yields = true_yields(link_);
    truth.phase_error_probability = true_phase_error_probability(link_);
    // 3-intensity protocol: the one-sided Z classes follow the X-X ones (as in expected_statistics).
    const bool three_intensity = !ra.x_strong.has_value();
    std::array<security::ClassCounts, 2> one_sided_z{};
    for (std::size_t i = 0; i < protocol_.alice.size(); ++i) {
        for (std::size_t j = 0; j < protocol_.bob.size(); ++j) {
            const auto& sa = protocol_.alice[i];
            const auto& sb = protocol_.bob[j];
            const std::size_t idx = i * bob_settings_ + j;
            const auto& o = outcomes_[idx];
            const std::uint64_t quiet = idx < unheralded.windows.size() ? unheralded.windows[idx] : 0;
            const std::uint64_t sent = o[0] + o[1] + o[2] + quiet;
            const security::ClassCounts counts{i, j, static_cast<Count>(sent), static_cast<Count>(o[0]),
                                               static_cast<Count>(o[1]), static_cast<Count>(o[2])};
            if (sa.window == Window::x && sb.window == Window::x) stats.classes.push_back(counts);
            const bool z_roles = (i == ra.z_send || i == ra.z_silent) && (j == rb.z_send || j == rb.z_silent);
            if (sa.window == Window::z && sb.window == Window::z && z_roles) {
                const auto eff = static_cast<Count>(o[0] + o[1]);
                stats.key.effective += eff;
                if ((i == ra.z_send) == (j == rb.z_send)) stats.key.errors += eff;
                if (three_intensity && i == ra.z_send && j == rb.z_silent) one_sided_z[0] = counts;
                if (three_intensity && i == ra.z_silent && j == rb.z_send) one_sided_z[1] = counts;
            }
            if ((sa.intensity > 0) != (sb.intensity > 0)) {
                OneSidedComposition c{i, j, {}};
                for (std::size_t n = 0; n < kPhotonGroups; ++n) c.heralds[n] = static_cast<Count>(photon_heralds_[idx][n]);
                truth.one_sided.push_back(c);
            }
        }
    }
    if (three_intensity) stats.classes.insert(stats.classes.end(), one_sided_z.begin(), one_sided_z.end());
    stats.phase_matched = {static_cast<Count>(matched_windows_ + unheralded.matched_zero + unheralded.matched_pi),
                           static_cast<Count>(matched_effective_), static_cast<Count>(matched_errors_)};
    truth.untagged_alice = static_cast<Count>(untagged_alice_);
    truth.untagged_bob = static_cast<Count>(untagged_bob_);
    truth.phase_errors = static_cast<Count>(phase_errors_);
    return run;
}

Result<SampledRun> simulate_event_statistics(const ProtocolParameters& protocol, const Link& link,
                                             std::uint64_t seed, std::size_t batch) {
    auto stream = EventStream::create(protocol, link, seed);
    if (!stream) return stream.error();
    auto aggregator = EventAggregator::create(protocol, link);
    if (!aggregator) return aggregator.error();
    std::vector<Event> buffer(std::max<std::size_t>(batch, 1));
    while (const std::size_t n = stream->next(buffer)) aggregator->add(std::span<const Event>(buffer.data(), n));
    return aggregator->finish(stream->unheralded());
}

}  // namespace tfqkd::hardware_model
