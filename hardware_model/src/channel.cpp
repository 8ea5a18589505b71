// The analytic honest-channel model: docs/hardware-model.md, section 1.
#include "hardware_model/channel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include "security/mode_pairing.hpp"

namespace tfqkd::hardware_model {
namespace {

using security::ProtocolParameters;
using security::Window;

// Click probabilities averaged over the relative phase of phase-matched windows: slices of width
// w = 2 pi / M whose indices differ by d (|d| <= k), each phase uniform in its slice, so the phase
// difference is d w plus a triangular variable on (-w, w), plus Gaussian noise of deviation sigma.
//
// Only E[exp(+-c cos delta)] is needed (c = v sqrt(ab)): by the Jacobi-Anger expansion
// exp(c cos x) = I0(c) + 2 sum_k I_k(c) cos(k x), and E[cos(k delta)] factorises into
// cos(k d w) (the slice offset), sinc^2(k w / 2) (the triangle's characteristic function) and
// exp(-k^2 sigma^2 / 2) (the Gaussian's). docs/hardware-model.md derives it; a test compares it
// with direct numerical integration.
//
// The means of exp(+c cos delta) and exp(-c cos delta) over a relative phase delta whose
// characteristic function at integer k is `characteristic(k)` (E[cos(k delta)]; the phase
// distributions used are symmetric, so E[sin(k delta)] = 0): by Jacobi-Anger,
// E[exp(+-c cos delta)] = I0(c) + 2 sum_k (+-1)^k I_k(c) E[cos(k delta)].
template <class Characteristic>
std::pair<double, double> exp_cos_means(double c, const Characteristic& characteristic) {
    const double i0 = std::cyl_bessel_i(0.0, c);
    double plus = i0;
    double minus = i0;
    for (int order = 1; order < 200; ++order) {
        const double ik = std::cyl_bessel_i(static_cast<double>(order), c);
        const double term = 2 * ik * characteristic(order);
        plus += term;
        minus += (order % 2 == 0 ? term : -term);
        if (ik < 1e-18 * i0) break;  // I_k(c) falls like (c/2)^k / k!
    }
    return {plus, minus};
}

// Click probabilities from the two means: the left output's intensity is (a+b)/2 + c cos delta.
ClickProbabilities clicks_from_means(double a, double b, double plus, double minus, const Link& link) {
    const double q = 1 - link.dark_count_probability;
    const double half_total = std::exp(-(a + b) / 2);
    const double dark_left = q * half_total * minus;   // E[q exp(-I_left)]
    const double dark_right = q * half_total * plus;   // E[q exp(-I_right)]
    const double dark_both = q * q * std::exp(-(a + b));
    // As in clicks_random_phase, the both-click probability cancels to rounding noise at high loss.
    return {dark_right - dark_both, dark_left - dark_both, std::max(0.0, 1 - dark_left - dark_right + dark_both)};
}

}  // namespace

ClickProbabilities clicks_phase_matched(double a, double b, std::uint32_t slices, std::uint32_t k, const Link& link) {
    const double w = 2 * std::numbers::pi / slices;
    const double c = (1 - 2 * link.misalignment) * std::sqrt(a * b);
    const double sigma = link.phase_noise_rad;
    double plus = 0;   // mean of exp(+c cos delta) over the kept slice differences
    double minus = 0;  // mean of exp(-c cos delta)
    const int kD = static_cast<int>(k);
    for (int d = -kD; d <= kD; ++d) {
        const auto [p, m] = exp_cos_means(c, [&](int order) {
            const double half = order * w / 2;
            const double sinc = std::sin(half) / half;
            return std::cos(order * d * w) * sinc * sinc * std::exp(-order * order * sigma * sigma / 2);
        });
        plus += p / (2 * kD + 1);
        minus += m / (2 * kD + 1);
    }
    return clicks_from_means(a, b, plus, minus, link);
}

ClickProbabilities clicks_phase_locked(double a, double b, const Link& link) {
    const double c = (1 - 2 * link.misalignment) * std::sqrt(a * b);
    const double sigma = link.phase_noise_rad;
    const auto [plus, minus] =
        exp_cos_means(c, [&](int order) { return std::exp(-order * order * sigma * sigma / 2); });
    return clicks_from_means(a, b, plus, minus, link);
}

double Link::eta_alice() const noexcept { return detector_efficiency * std::pow(10.0, -arm_loss_alice_db / 10); }
double Link::eta_bob() const noexcept { return detector_efficiency * std::pow(10.0, -arm_loss_bob_db / 10); }

Link symmetric_link(double distance_km, double attenuation_db_per_km, double detector_efficiency,
                    double dark_count_probability, double misalignment, double phase_noise_rad) {
    Link link;
    link.arm_loss_alice_db = link.arm_loss_bob_db = distance_km / 2 * attenuation_db_per_km;
    link.detector_efficiency = detector_efficiency;
    link.dark_count_probability = dark_count_probability;
    link.misalignment = misalignment;
    link.phase_noise_rad = phase_noise_rad;
    return link;
}

ClickProbabilities clicks_at_phase(double a, double b, double delta, const Link& link) {
    // Output intensities of the beam splitter; misalignment sends a fraction e_d of each output's
    // light to the other, reducing the interference term by 1 - 2 e_d.
    const double visibility = 1 - 2 * link.misalignment;
    const double interference = visibility * std::sqrt(a * b) * std::cos(delta);
    const double i_left = (a + b) / 2 + interference;
    const double i_right = (a + b) / 2 - interference;
    const double q = 1 - link.dark_count_probability;
    const double no_left = q * std::exp(-i_left);    // a threshold detector stays dark
    const double no_right = q * std::exp(-i_right);
    return {(1 - no_left) * no_right, no_left * (1 - no_right), (1 - no_left) * (1 - no_right)};
}

ClickProbabilities clicks_random_phase(double a, double b, const Link& link) {
    // E[exp(-I_left)] over a uniform phase = exp(-(a+b)/2) I0(v sqrt(ab)), the same for both outputs.
    const double visibility = 1 - 2 * link.misalignment;
    const double q = 1 - link.dark_count_probability;
    const double dark_each = q * std::exp(-(a + b) / 2) * std::cyl_bessel_i(0.0, visibility * std::sqrt(a * b));
    const double dark_both = q * q * std::exp(-(a + b));
    const double one = dark_each - dark_both;
    // 1 - 2 dark_each + dark_both cancels to rounding noise at high loss; the probability is >= 0.
    return {one, one, std::max(0.0, 1 - 2 * dark_each + dark_both)};
}

TrueYields true_yields(const Link& link) {
    const double pd = link.dark_count_probability;
    const double s0 = 2 * pd * (1 - pd);
    // One photon reaches a detector with probability eta (and clicks it); the other must stay dark.
    // Otherwise exactly one dark count heralds.
    const auto s1 = [&](double eta) { return eta * (1 - pd) + (1 - eta) * s0; };
    return {s0, s1(link.eta_alice()), s1(link.eta_bob())};
}

namespace {

// The fraction of window pairs whose slices are kept as phase-matched: within k slices of each other
// around 0 and, for even M, around M/2 (where the detectors' roles swap and Bob flips).
double kept_fraction(const ProtocolParameters& protocol) {
    const std::uint32_t m = protocol.phase_slices;
    const std::uint32_t k = protocol.phase_match_slices;
    return (2.0 * k + 1) / m * (m % 2 == 0 && m > 1 ? 2 : 1);
}

// PM-QKD (docs/security.md 7): the phase-matched test classes of equal settings and the matched key
// windows. By the symmetry of the two halves (around 0 and around pi, with the bit flipped) both
// have the statistics of the half around 0, where the left detector is the correct one; a key bit
// flip swaps the detectors, so the error probability of a key window is the right-click one.
Result<security::CountStatistics> expected_pm_statistics(const ProtocolParameters& protocol, const Link& link) {
    const auto alice = security::pm_roles(protocol.alice, "alice");
    const auto bob = security::pm_roles(protocol.bob, "bob");
    if (!alice) return alice.error();
    if (!bob) return bob.error();
    const double n = static_cast<double>(protocol.pulses);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    const std::uint32_t m = protocol.phase_slices;
    const std::uint32_t k = protocol.phase_match_slices;
    const double kept = kept_fraction(protocol);
    security::CountStatistics out;
    const auto matched = [&](std::size_t i, std::size_t j) {
        return clicks_phase_matched(eta_a * protocol.alice[i].intensity, eta_b * protocol.bob[j].intensity, m, k, link);
    };
    for (const auto& [i, j] : {std::pair{alice->test_vacuum, bob->test_vacuum}, std::pair{alice->test_weak, bob->test_weak},
                               std::pair{alice->test_strong, bob->test_strong}}) {
        const double windows = n * protocol.alice[i].probability * protocol.bob[j].probability * kept;
        const ClickProbabilities c = matched(i, j);
        out.matched.push_back({i, j, windows, windows * c.effective(), windows * c.right});
    }
    const double w = n * protocol.alice[alice->key].probability * protocol.bob[bob->key].probability * kept;
    const ClickProbabilities c = matched(alice->key, bob->key);
    out.key.windows = w;
    out.key.effective = w * c.effective();
    out.key.errors = w * c.right;
    return out;
}

// CAL19 (docs/security.md 8): every X-X test class (phase-randomised decoys), and the key windows,
// in which Alice and Bob send |+-alpha> with their phases locked: equal bits interfere at relative
// phase 0 (left correct), opposite bits at pi (right correct, Bob flips), so both have the error
// probability of a right click at phase 0.
Result<security::CountStatistics> expected_cal19_statistics(const ProtocolParameters& protocol, const Link& link) {
    const auto alice = security::cal19_roles(protocol.alice, "alice");
    const auto bob = security::cal19_roles(protocol.bob, "bob");
    if (!alice) return alice.error();
    if (!bob) return bob.error();
    const double n = static_cast<double>(protocol.pulses);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    security::CountStatistics out;
    for (const std::size_t i : alice->decoys)
        for (const std::size_t j : bob->decoys) {
            const auto& sa = protocol.alice[i];
            const auto& sb = protocol.bob[j];
            const double sent = n * sa.probability * sb.probability;
            const ClickProbabilities c = clicks_random_phase(eta_a * sa.intensity, eta_b * sb.intensity, link);
            out.classes.push_back({i, j, sent, sent * c.left, sent * c.right, sent * c.both});
        }
    const auto& ka = protocol.alice[alice->key];
    const auto& kb = protocol.bob[bob->key];
    const double windows = n * ka.probability * kb.probability;
    const ClickProbabilities c = clicks_phase_locked(eta_a * ka.intensity, eta_b * kb.intensity, link);
    out.key.windows = windows;
    out.key.effective = windows * c.effective();
    out.key.errors = windows * c.right;
    return out;
}

// MP-QKD (docs/hardware-model.md 1.1). Rounds are independent in the honest channel, and pairing
// looks only at which rounds were heralded, so given that rounds i and j were paired their
// settings and phases are independent draws from the posterior given a herald: a class's share
// of the pairs is its prior times its joint heralding probability, over p^2.
Result<security::CountStatistics> expected_mp_statistics(const ProtocolParameters& protocol, const Link& link) {
    const auto roles = security::mp_roles(protocol.alice, "alice");
    if (!roles) return roles.error();
    if (!(protocol.alice == protocol.bob))
        return make_error(Errc::invalid_argument, "protocol", "bob",
                          "the MP prediction is for symmetric settings: bob's list must equal alice's");
    const auto& set = protocol.alice;
    const double n = static_cast<double>(protocol.pulses);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    const auto herald = [&](std::size_t i, std::size_t j) {
        return clicks_random_phase(eta_a * set[i].intensity, eta_b * set[j].intensity, link).effective();
    };
    double p = 0;  // a round is heralded (exactly one click), whatever the settings
    for (std::size_t i = 0; i < set.size(); ++i)
        for (std::size_t j = 0; j < set.size(); ++j) p += set[i].probability * set[j].probability * herald(i, j);
    const double pairs = n * security::pairing_rate(p, protocol.max_pairing_interval);
    const double per_pair = p > 0 ? pairs / (p * p) : 0;  // pairs times P(class and both heralded) / p^2

    // A party's Z pair of setting a: the rounds (a, vacuum) or (vacuum, a), each with prior
    // p_a p_0; the vacuum pair (vacuum, vacuum) with prior p_0^2.
    struct Placement {
        std::size_t first;
        std::size_t second;
        double prior;
    };
    const std::size_t v = roles->vacuum;
    const auto placements = [&](std::size_t a) {
        std::vector<Placement> out;
        if (a == v) {
            out.push_back({v, v, set[v].probability * set[v].probability});
        } else {
            out.push_back({a, v, set[a].probability * set[v].probability});
            out.push_back({v, a, set[a].probability * set[v].probability});
        }
        return out;
    };
    struct ZClass {
        double pairs = 0;
        double errors = 0;  // Alice's and Bob's pulses in the same round: the bits agree, Bob flips
    };
    const auto z_class = [&](std::size_t a, std::size_t b) {
        ZClass out;
        for (const Placement& pa : placements(a))
            for (const Placement& pb : placements(b)) {
                const double both = pa.prior * pb.prior * herald(pa.first, pb.first) * herald(pa.second, pb.second);
                out.pairs += per_pair * both;
                if (a != v && b != v && pa.first == pb.first) out.errors += per_pair * both;
            }
        return out;
    };
    security::CountStatistics out;
    security::ModePairingCounts mp;
    mp.heralded_rounds = n * p;
    mp.pairs = pairs;
    const std::size_t d = roles->decoy, s = roles->signal;
    for (const auto& [a, b] : {std::pair{v, v}, std::pair{v, d}, std::pair{d, v}, std::pair{d, d}, std::pair{v, s},
                               std::pair{s, v}, std::pair{d, s}, std::pair{s, d}}) {
        const ZClass z = z_class(a, b);
        mp.classes.push_back({security::PairBasis::z, a, b, z.pairs, 0.0});
    }
    const ZClass key = z_class(s, s);
    out.key.effective = key.pairs;
    out.key.errors = key.errors;
    // X pairs of settings (a, b): both rounds (a, b); kept by sifting with probability
    // 2 (2k + 1) / M; the bit is wrong when the two heralds are at different detectors (after
    // sifting to equal bits; the half with opposite bits is symmetric).
    const double kept = security::mp_phase_sifting_fraction(protocol);
    for (const auto& [a, b] : {std::pair{d, d}, std::pair{v, d}, std::pair{d, v}, std::pair{v, v}, std::pair{s, s}}) {
        const double prior = set[a].probability * set[a].probability * set[b].probability * set[b].probability;
        const double xa = eta_a * set[a].intensity, xb = eta_b * set[b].intensity;
        const PairedClicks c = clicks_paired_rounds(xa, xb, xa, xb, protocol.phase_slices, protocol.phase_match_slices, link);
        mp.classes.push_back({security::PairBasis::x, a, b, per_pair * prior * kept * c.heralded(),
                              per_pair * prior * kept * c.different});
    }
    out.mode_pairing = std::move(mp);
    return out;
}

}  // namespace

PairedClicks clicks_paired_rounds(double a_first, double b_first, double a_second, double b_second,
                                  std::uint32_t slices, std::uint32_t match_slices, const Link& link) {
    // Per round r: P(only left | delta) = alpha_r e^{+c_r cos delta} - beta_r and P(only right) =
    // alpha_r e^{-c_r cos delta} - beta_r, with alpha_r = q e^{-S_r/2}, beta_r = q^2 e^{-S_r}
    // (S_r = a_r + b_r, c_r = v sqrt(a_r b_r)): the both-dark term of clicks_at_phase is constant.
    // Averaged over delta, E[e^{c1 cos delta + c2 cos(delta + D)}] = sum_n I_n(c1) I_n(c2) e^{i n D}
    // (Jacobi-Anger), and E[cos(n D)] over the sifted mismatch factorises as in clicks_phase_matched.
    const double visibility = 1 - 2 * link.misalignment;
    const double q = 1 - link.dark_count_probability;
    const double c1 = visibility * std::sqrt(a_first * b_first);
    const double c2 = visibility * std::sqrt(a_second * b_second);
    const double alpha1 = q * std::exp(-(a_first + b_first) / 2), beta1 = q * q * std::exp(-(a_first + b_first));
    const double alpha2 = q * std::exp(-(a_second + b_second) / 2), beta2 = q * q * std::exp(-(a_second + b_second));
    const double w = 2 * std::numbers::pi / slices;
    const double sigma = link.phase_noise_rad;
    const int k = static_cast<int>(match_slices);
    const double i0_1 = std::cyl_bessel_i(0.0, c1), i0_2 = std::cyl_bessel_i(0.0, c2);
    double aligned = i0_1 * i0_2;   // E[e^{c1 cos delta + c2 cos(delta + D)}]
    double opposed = aligned;       // E[e^{c1 cos delta - c2 cos(delta + D)}]
    for (int order = 1; order < 200; ++order) {
        const double product = std::cyl_bessel_i(static_cast<double>(order), c1) *
                               std::cyl_bessel_i(static_cast<double>(order), c2);
        double mean_cos = 0;  // E[cos(order D)] over the kept slice differences
        for (int d = -k; d <= k; ++d) mean_cos += std::cos(order * d * w);
        const double half = order * w / 2;
        const double sinc = std::sin(half) / half;
        mean_cos *= sinc * sinc * std::exp(-order * order * sigma * sigma / 2) / (2 * k + 1);
        aligned += 2 * product * mean_cos;
        opposed += (order % 2 == 0 ? 2 : -2) * product * mean_cos;
        if (product < 1e-18 * i0_1 * i0_2) break;  // I_n(c) falls like (c/2)^n / n!
    }
    const double rest = -alpha1 * beta2 * i0_1 - beta1 * alpha2 * i0_2 + beta1 * beta2;
    // Both left or both right (the two are equal by the symmetry c -> -c); left-right or right-left.
    return {std::max(0.0, 2 * (alpha1 * alpha2 * aligned + rest)), std::max(0.0, 2 * (alpha1 * alpha2 * opposed + rest))};
}

Result<security::CountStatistics> expected_statistics(const ProtocolParameters& protocol, const Link& link) {
    TFQKD_TRY(security::validate(protocol));
    if (protocol.family == security::Family::pm) return expected_pm_statistics(protocol, link);
    if (protocol.family == security::Family::cal19) return expected_cal19_statistics(protocol, link);
    if (protocol.family == security::Family::mode_pairing) return expected_mp_statistics(protocol, link);
    if (protocol.family != security::Family::sns)
        return make_error(Errc::invalid_argument, "protocol", "family", "the analytic model has no such family");
    const auto alice = security::sns_roles(protocol.alice, "alice");
    const auto bob = security::sns_roles(protocol.bob, "bob");
    if (!alice) return alice.error();
    if (!bob) return bob.error();
    const double n = static_cast<double>(protocol.pulses);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    security::CountStatistics out;
    const auto add_class = [&](std::size_t i, std::size_t j) {
        const auto& sa = protocol.alice[i];
        const auto& sb = protocol.bob[j];
        const double sent = n * sa.probability * sb.probability;
        const ClickProbabilities c = clicks_random_phase(eta_a * sa.intensity, eta_b * sb.intensity, link);
        out.classes.push_back({i, j, sent, sent * c.left, sent * c.right, sent * c.both});
    };
    // Every X-X class is announced.
    for (std::size_t i = 0; i < protocol.alice.size(); ++i) {
        if (protocol.alice[i].window != Window::x) continue;
        for (std::size_t j = 0; j < protocol.bob.size(); ++j)
            if (protocol.bob[j].window == Window::x) add_class(i, j);
    }
    // The 3-intensity protocol's strong decoy: the one-sided Z windows (docs/security.md 4.1).
    if (!alice->x_strong) {
        add_class(alice->z_send, bob->z_silent);
        add_class(alice->z_silent, bob->z_send);
    }
    // Phase-matched X1 windows: slices within k of each other, around 0 and (M even) around pi,
    // where the roles of the detectors swap; by symmetry both halves have the same statistics.
    const auto& weak_a = protocol.alice[alice->x_weak];
    const auto& weak_b = protocol.bob[bob->x_weak];
    const std::uint32_t m = protocol.phase_slices;
    const std::uint32_t k = protocol.phase_match_slices;
    const double kept_fraction = (2.0 * k + 1) / m * (m % 2 == 0 && m > 1 ? 2 : 1);
    const double windows = n * weak_a.probability * weak_b.probability * kept_fraction;
    const ClickProbabilities matched = clicks_phase_matched(eta_a * weak_a.intensity, eta_b * weak_b.intensity, m, k, link);
    out.phase_matched = {windows, windows * matched.effective(), windows * matched.right};
    // Z-Z key windows: Alice's bit is 1 when she sends, Bob's 0 when he sends; a bit is wrong when
    // both or neither sent.
    // Bob's raw key by bit value: his bit 0 when he sent (wrong when Alice sent too), 1 when he did
    // not (wrong when Alice did not either).
    double zeros = 0, zeros_wrong = 0, ones = 0, ones_wrong = 0;
    for (const std::size_t i : {alice->z_send, alice->z_silent}) {
        for (const std::size_t j : {bob->z_send, bob->z_silent}) {
            const double sent = n * protocol.alice[i].probability * protocol.bob[j].probability;
            const double eff = sent * clicks_random_phase(eta_a * protocol.alice[i].intensity,
                                                          eta_b * protocol.bob[j].intensity, link)
                                          .effective();
            const bool wrong = (i == alice->z_send) == (j == bob->z_send);
            (j == bob->z_send ? zeros : ones) += eff;
            (j == bob->z_send ? zeros_wrong : ones_wrong) += wrong ? eff : 0;
        }
    }
    if (!protocol.aopp) {
        out.key.effective = zeros + ones;
        out.key.errors = zeros_wrong + ones_wrong;
        return out;
    }
    // AOPP (docs/security.md 4.5): Bob pairs min(n0, n1) zeros with ones; a pair survives Alice's
    // parity check when both bits are right or both wrong, and then its kept bit is wrong when both
    // were. Expected values, treating the bits of a value as independent (the prediction's model).
    const double pairs = std::min(zeros, ones);
    const double e0 = zeros > 0 ? zeros_wrong / zeros : 0;
    const double e1 = ones > 0 ? ones_wrong / ones : 0;
    out.aopp = security::AoppCounts{zeros, ones, pairs};
    out.key.effective = pairs * ((1 - e0) * (1 - e1) + e0 * e1);
    out.key.errors = pairs * e0 * e1;
    return out;
}

}  // namespace tfqkd::hardware_model
