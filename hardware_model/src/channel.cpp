// The analytic honest-channel model: docs/hardware-model.md, section 1.
#include "hardware_model/channel.hpp"

#include <cmath>
#include <numbers>

namespace tfqkd::hardware_model {
namespace {

using security::ProtocolParameters;
using security::Window;

// Click probabilities averaged over the relative phase of phase-matched windows: slices of width
// w = 2 pi / M whose indices differ by d (|d| <= k), each phase uniform in its slice, so the phase
// difference is d w plus a triangular variable on (-w, w), plus Gaussian noise of deviation sigma.
ClickProbabilities matched_average(double a, double b, std::uint32_t slices, std::uint32_t k, const Link& link) {
    const double w = 2 * std::numbers::pi / slices;
    const double sigma = link.phase_noise_rad;
    ClickProbabilities total;
    const auto add = [&](double delta, double weight) {
        const ClickProbabilities c = clicks_at_phase(a, b, delta, link);
        total.left += weight * c.left;
        total.right += weight * c.right;
        total.both += weight * c.both;
    };
    const int kD = static_cast<int>(k);
    for (int d = -kD; d <= kD; ++d) {
        const double centre = d * w;
        const double d_weight = 1.0 / (2 * kD + 1);
        // Triangular density (w - |t|) / w^2 on (-w, w), integrated with Simpson (exact for the
        // linear density times a smooth function up to the rule's order).
        constexpr int kT = 64;
        const double ht = 2 * w / kT;
        for (int i = 0; i <= kT; ++i) {
            const double t = -w + i * ht;
            const double simpson_weight = (i == 0 || i == kT) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
            const double t_weight = d_weight * simpson_weight * ht / 3 * (w - std::abs(t)) / (w * w);
            if (t_weight == 0) continue;
            if (sigma <= 0) {
                add(centre + t, t_weight);
                continue;
            }
            constexpr int kN = 48;
            const double hn = 12 * sigma / kN;
            for (int j = 0; j <= kN; ++j) {
                const double n = -6 * sigma + j * hn;
                const double sw = (j == 0 || j == kN) ? 1.0 : (j % 2 == 1 ? 4.0 : 2.0);
                const double density = std::exp(-n * n / (2 * sigma * sigma)) / (sigma * std::sqrt(2 * std::numbers::pi));
                add(centre + t + n, t_weight * sw * hn / 3 * density);
            }
        }
    }
    return total;
}

}  // namespace

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
    return {one, one, 1 - 2 * dark_each + dark_both};
}

TrueYields true_yields(const Link& link) {
    const double pd = link.dark_count_probability;
    const double s0 = 2 * pd * (1 - pd);
    // One photon reaches a detector with probability eta (and clicks it); the other must stay dark.
    // Otherwise exactly one dark count heralds.
    const auto s1 = [&](double eta) { return eta * (1 - pd) + (1 - eta) * s0; };
    return {s0, s1(link.eta_alice()), s1(link.eta_bob())};
}

Result<security::CountStatistics> expected_statistics(const ProtocolParameters& protocol, const Link& link) {
    TFQKD_TRY(security::validate(protocol));
    if (protocol.family != security::Family::sns)
        return make_error(Errc::invalid_argument, "protocol", "family",
                          "the analytic model predicts the SNS family (other families come with their issue)");
    const auto alice = security::sns_roles(protocol.alice, "alice");
    const auto bob = security::sns_roles(protocol.bob, "bob");
    if (!alice) return alice.error();
    if (!bob) return bob.error();
    if (!alice->x_strong)
        return make_error(Errc::invalid_argument, "protocol", "alice",
                          "the analytic model predicts the 4-intensity SNS protocol");
    const double n = static_cast<double>(protocol.pulses);
    const double eta_a = link.eta_alice();
    const double eta_b = link.eta_bob();
    security::CountStatistics out;
    // Every X-X class is announced.
    for (std::size_t i = 0; i < protocol.alice.size(); ++i) {
        const auto& sa = protocol.alice[i];
        if (sa.window != Window::x) continue;
        for (std::size_t j = 0; j < protocol.bob.size(); ++j) {
            const auto& sb = protocol.bob[j];
            if (sb.window != Window::x) continue;
            const double sent = n * sa.probability * sb.probability;
            const ClickProbabilities c = clicks_random_phase(eta_a * sa.intensity, eta_b * sb.intensity, link);
            out.classes.push_back({i, j, sent, sent * c.left, sent * c.right, sent * c.both});
        }
    }
    // Phase-matched X1 windows: slices within k of each other, around 0 and (M even) around pi,
    // where the roles of the detectors swap; by symmetry both halves have the same statistics.
    const auto& weak_a = protocol.alice[alice->x_weak];
    const auto& weak_b = protocol.bob[bob->x_weak];
    const std::uint32_t m = protocol.phase_slices;
    const std::uint32_t k = protocol.phase_match_slices;
    const double kept_fraction = (2.0 * k + 1) / m * (m % 2 == 0 && m > 1 ? 2 : 1);
    const double windows = n * weak_a.probability * weak_b.probability * kept_fraction;
    const ClickProbabilities matched = matched_average(eta_a * weak_a.intensity, eta_b * weak_b.intensity, m, k, link);
    out.phase_matched = {windows, windows * matched.effective(), windows * matched.right};
    // Z-Z key windows: Alice's bit is 1 when she sends, Bob's 0 when he sends; a bit is wrong when
    // both or neither sent.
    for (const std::size_t i : {alice->z_send, alice->z_silent}) {
        for (const std::size_t j : {bob->z_send, bob->z_silent}) {
            const double sent = n * protocol.alice[i].probability * protocol.bob[j].probability;
            const double eff = sent * clicks_random_phase(eta_a * protocol.alice[i].intensity,
                                                          eta_b * protocol.bob[j].intensity, link)
                                          .effective();
            out.key.effective += eff;
            if ((i == alice->z_send) == (j == bob->z_send)) out.key.errors += eff;
        }
    }
    return out;
}

}  // namespace tfqkd::hardware_model
