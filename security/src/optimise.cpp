// Parameter search: docs/security.md, section 6.
#include "security/optimise.hpp"

#include <nlopt.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

namespace tfqkd::security {
namespace {

// The search coordinates: logarithms of the intensities and of eps, the logit of p_z, and softmax
// weights for the X-window split (the vacuum's weight is fixed at 0). The 3-intensity protocol has
// no mu_2 and no strong weight, so its search has the first four and weight_weak (at index 4). Every
// point of the box maps to a valid protocol, so the search never leaves the domain of the key-length
// formula.
struct Coordinates {
    enum : unsigned { log_mu_z, log_eps, logit_pz, log_mu1, log_ratio, weight_strong };
    static unsigned count(bool four) { return four ? 7 : 5; }
    static unsigned weight_weak(bool four) { return four ? 6 : 4; }
};

double logit(double p) { return std::log(p / (1 - p)); }
double logistic(double x) { return 1 / (1 + std::exp(-x)); }

// The 3-intensity decoy must stay below mu_z; 0.9 mu_z keeps the decoy bound's denominator away
// from zero.
constexpr double kWeakBelowSignal = 0.9;

ProtocolParameters to_protocol(const ProtocolParameters& start, const std::vector<double>& x) {
    ProtocolParameters p = start;
    const bool four = x.size() == Coordinates::count(true);
    const double mu_z = std::exp(x[Coordinates::log_mu_z]);
    const double eps = std::exp(x[Coordinates::log_eps]);
    const double p_z = logistic(x[Coordinates::logit_pz]);
    const double p_x = 1 - p_z;
    const double w1 = std::exp(x[Coordinates::weight_weak(four)]);
    if (!four) {
        const double mu1 = std::min(std::exp(x[Coordinates::log_mu1]), kWeakBelowSignal * mu_z);
        p.alice = {{Window::z, mu_z, p_z * eps},
                   {Window::z, 0.0, p_z * (1 - eps)},
                   {Window::x, 0.0, p_x / (1 + w1)},
                   {Window::x, mu1, p_x * w1 / (1 + w1)}};
        p.bob = p.alice;
        return p;
    }
    const double mu1 = std::exp(x[Coordinates::log_mu1]);
    const double mu2 = std::min(1.5, mu1 * std::exp(x[Coordinates::log_ratio]));
    const double w2 = std::exp(x[Coordinates::weight_strong]);
    const double sum = 1 + w1 + w2;
    p.alice = {{Window::z, mu_z, p_z * eps},
               {Window::z, 0.0, p_z * (1 - eps)},
               {Window::x, 0.0, p_x / sum},
               {Window::x, mu1, p_x * w1 / sum},
               {Window::x, std::max(mu2, mu1 * 1.2), p_x * w2 / sum}};
    p.bob = p.alice;
    return p;
}

std::vector<double> from_protocol(const ProtocolParameters& p, const SnsRoles& r) {
    const auto& s = p.alice;
    const double p_z = s[r.z_send].probability + s[r.z_silent].probability;
    const double eps = s[r.z_send].probability / p_z;
    const double mu1 = s[r.x_weak].intensity;
    const double q0 = s[r.x_vacuum].probability;
    std::vector<double> x{std::log(s[r.z_send].intensity), std::log(eps), logit(p_z), std::log(mu1)};
    if (r.x_strong) {
        x.push_back(std::log(s[*r.x_strong].intensity / mu1));
        x.push_back(std::log(s[*r.x_strong].probability / q0));
    }
    x.push_back(std::log(s[r.x_weak].probability / q0));
    return x;
}

struct Search {
    const ProtocolParameters* start;
    const SecurityParameters* security;
    const StatisticsPredictor* predict;
    const SnsOptions* options;
    unsigned evaluations = 0;
};

double objective(const std::vector<double>& x, std::vector<double>& /*gradient: BOBYQA needs none*/, void* data) {
    auto* s = static_cast<Search*>(data);
    ++s->evaluations;
    const ProtocolParameters p = to_protocol(*s->start, x);
    const auto stats = (*s->predict)(p);
    // Every point of the box is a valid protocol, so these fail only on a predictor's own limits;
    // the search then treats the point as worthless.
    if (!stats) return -1e300;
    // The estimate does not check the eps_total budget: that is checked once, on the certified point.
    const auto length = sns_key_length_estimate(p, *s->security, *stats, *s->options);
    if (!length || !std::isfinite(*length)) return -1e300;
    return *length / static_cast<double>(p.pulses);
}

// PM and CAL19 share one shape: a key setting and three test settings (vacuum, nu_1 < nu_2). The
// coordinates: log of the key intensity (PM: mu/2, CAL19: alpha^2), logit p_key, log nu_1,
// log(nu_2/nu_1), and the softmax weights of nu_1 and nu_2 against the test vacuum (weight 0).
// Every point of the box is a valid protocol of the family.
struct PmCoordinates {
    enum : unsigned { log_mu, logit_key, log_nu1, log_ratio, weight_weak, weight_strong, count };
};

ProtocolParameters to_pm_protocol(const ProtocolParameters& start, const std::vector<double>& x) {
    ProtocolParameters p = start;
    const double mu = std::exp(x[PmCoordinates::log_mu]);
    const double p_key = logistic(x[PmCoordinates::logit_key]);
    const double nu1 = std::exp(x[PmCoordinates::log_nu1]);
    const double nu2 = std::clamp(nu1 * std::exp(x[PmCoordinates::log_ratio]), 1.2 * nu1, std::max(1.0, 1.2 * nu1));
    const double w1 = std::exp(x[PmCoordinates::weight_weak]);
    const double w2 = std::exp(x[PmCoordinates::weight_strong]);
    const double sum = 1 + w1 + w2;
    const double p_test = 1 - p_key;
    p.alice = {{Window::z, mu, p_key}, {Window::x, 0.0, p_test / sum}, {Window::x, nu1, p_test * w1 / sum},
               {Window::x, nu2, p_test * w2 / sum}};
    p.bob = p.alice;
    return p;
}

using KeyLengthEstimate = Result<double> (*)(const ProtocolParameters&, const SecurityParameters&,
                                              const CountStatistics&, const SnsOptions&);

struct PmSearch {
    const ProtocolParameters* start;
    const SecurityParameters* security;
    const StatisticsPredictor* predict;
    const PmOptions* options;
    KeyLengthEstimate estimate;
    unsigned evaluations = 0;
};

double pm_objective(const std::vector<double>& x, std::vector<double>& /*gradient*/, void* data) {
    auto* s = static_cast<PmSearch*>(data);
    ++s->evaluations;
    const ProtocolParameters p = to_pm_protocol(*s->start, x);
    const auto stats = (*s->predict)(p);
    if (!stats) return -1e300;
    const auto length = s->estimate(p, *s->security, *stats, *s->options);
    if (!length || !std::isfinite(*length)) return -1e300;
    return *length / static_cast<double>(p.pulses);
}

// BOBYQA (derivative-free, bounded) from x, clamped into the box, for at most max_evaluations
// evaluations; x ends at the best point found and the best value is returned. NLopt reports a search
// that stops early (round-off limited, say) by exception; the best point so far is still in x, and
// the caller certifies it like any other.
double maximise_in_box(nlopt::vfunc objective, void* data, const std::vector<double>& lower,
                       const std::vector<double>& upper, std::vector<double>& x, unsigned max_evaluations) {
    for (unsigned i = 0; i < x.size(); ++i) x[i] = std::clamp(x[i], lower[i], upper[i]);
    nlopt::opt opt(nlopt::LN_BOBYQA, static_cast<unsigned>(x.size()));
    opt.set_lower_bounds(lower);
    opt.set_upper_bounds(upper);
    opt.set_max_objective(objective, data);
    opt.set_xtol_rel(1e-5);
    opt.set_maxeval(static_cast<int>(max_evaluations));
    double best = 0;
    try {
        opt.optimize(x, best);
    } catch (const std::exception& e) {
        (void)e;
    }
    return best;
}

// The optimum the search reached, with its predicted statistics and its certified key length:
// the search may be wrong by its rounding, the certified length of the point it returns is not.
template <class Certify>
Result<SnsOptimum> certify_optimum(ProtocolParameters protocol, unsigned evaluations, double best,
                                   const StatisticsPredictor& predict, const Certify& certify) {
    SnsOptimum out;
    out.protocol = std::move(protocol);
    out.evaluations = evaluations;
    auto stats = predict(out.protocol);
    if (!stats) return stats.error();
    out.statistics = *stats;
    auto key = certify(out.protocol, out.statistics);
    if (!key) return key.error();
    out.key = *key;
    out.estimate = best * static_cast<double>(out.protocol.pulses);
    return out;
}

// MP: log mu, logit(nu/mu), and the softmax weights of nu and mu against the vacuum (weight 0).
// Every point of the box is a valid MP protocol (0 < nu < mu, probabilities in (0, 1) summing to 1).
struct MpCoordinates {
    enum : unsigned { log_mu, logit_ratio, weight_decoy, weight_signal, count };
};

ProtocolParameters to_mp_protocol(const ProtocolParameters& start, const std::vector<double>& x) {
    ProtocolParameters p = start;
    const double mu = std::exp(x[MpCoordinates::log_mu]);
    const double nu = mu * logistic(x[MpCoordinates::logit_ratio]);
    const double wd = std::exp(x[MpCoordinates::weight_decoy]);
    const double ws = std::exp(x[MpCoordinates::weight_signal]);
    const double sum = 1 + wd + ws;
    p.alice = {{Window::z, 0.0, 1 / sum}, {Window::z, nu, wd / sum}, {Window::z, mu, ws / sum}};
    p.bob = p.alice;
    return p;
}

struct MpSearch {
    const ProtocolParameters* start;
    const SecurityParameters* security;
    const StatisticsPredictor* predict;
    const ModePairingOptions* options;
    unsigned evaluations = 0;
};

double mp_objective(const std::vector<double>& x, std::vector<double>& /*gradient*/, void* data) {
    auto* s = static_cast<MpSearch*>(data);
    ++s->evaluations;
    const ProtocolParameters p = to_mp_protocol(*s->start, x);
    const auto stats = (*s->predict)(p);
    if (!stats) return -1e300;
    const auto length = mode_pairing_key_length_estimate(p, *s->security, *stats, *s->options);
    if (!length || !std::isfinite(*length)) return -1e300;
    return *length / static_cast<double>(p.pulses);
}

}  // namespace

namespace {

// The search over a key setting and three test settings (PM and CAL19), from `start`'s settings in
// `roles` order: key, vacuum, nu_1, nu_2.
template <class Certify>
Result<SnsOptimum> optimise_key_and_decoys(const ProtocolParameters& start, const std::array<std::size_t, 4>& roles,
                                           const SecurityParameters& security, const StatisticsPredictor& predict,
                                           const SnsOptions& options, unsigned max_evaluations,
                                           KeyLengthEstimate estimate, const Certify& certify) {
    const std::vector<double> lower{std::log(1e-3), logit(0.05), std::log(1e-4), std::log(1.2), -6, -6};
    const std::vector<double> upper{std::log(0.5), logit(0.98), std::log(0.2), std::log(100.0), 6, 6};
    const auto& s = start.alice;
    const auto [key, vacuum, weak, strong] = roles;
    const double q0 = s[vacuum].probability;
    std::vector<double> x{std::log(s[key].intensity), logit(std::min(s[key].probability, 0.999)),
                          std::log(s[weak].intensity), std::log(s[strong].intensity / s[weak].intensity),
                          std::log(s[weak].probability / q0), std::log(s[strong].probability / q0)};
    PmSearch search{&start, &security, &predict, &options, estimate};
    const double best = maximise_in_box(pm_objective, &search, lower, upper, x, max_evaluations);
    return certify_optimum(to_pm_protocol(start, x), search.evaluations, best, predict, certify);
}

}  // namespace

Result<SnsOptimum> optimise_pm(const ProtocolParameters& start, const SecurityParameters& security,
                               const StatisticsPredictor& predict, const PmOptions& options,
                               unsigned max_evaluations) {
    TFQKD_TRY(validate(start));
    if (start.family != Family::pm || !(start.alice == start.bob))
        return make_error(Errc::invalid_argument, "protocol", "family", "optimise_pm searches the symmetric PM protocol");
    const auto roles = pm_roles(start.alice, "alice");
    if (!roles) return roles.error();
    return optimise_key_and_decoys(start, {roles->key, roles->test_vacuum, roles->test_weak, roles->test_strong},
                                   security, predict, options, max_evaluations, &pm_key_length_estimate,
                                   [&](const ProtocolParameters& p, const CountStatistics& c) {
                                       return pm_key_length(p, security, c, options);
                                   });
}

Result<SnsOptimum> optimise_cal19(const ProtocolParameters& start, const SecurityParameters& security,
                                  const StatisticsPredictor& predict, const Cal19Options& options,
                                  unsigned max_evaluations) {
    TFQKD_TRY(validate(start));
    if (start.family != Family::cal19 || !(start.alice == start.bob))
        return make_error(Errc::invalid_argument, "protocol", "family",
                          "optimise_cal19 searches the symmetric CAL19 protocol (bob's settings equal alice's)");
    const auto roles = cal19_roles(start.alice, "alice");
    if (!roles) return roles.error();
    if (roles->decoys.size() != 3 || start.alice[roles->decoys[0]].intensity != 0)
        return make_error(Errc::invalid_argument, "protocol", "alice",
                          "optimise_cal19 searches three decoys: vacuum, nu_1 and nu_2 (the start has " +
                              std::to_string(roles->decoys.size()) + " decoys" +
                              (roles->decoys.size() == 3 ? ", none of them vacuum)" : ")"));
    return optimise_key_and_decoys(start, {roles->key, roles->decoys[0], roles->decoys[1], roles->decoys[2]},
                                   security, predict, options, max_evaluations, &cal19_key_length_estimate,
                                   [&](const ProtocolParameters& p, const CountStatistics& c) {
                                       return cal19_key_length(p, security, c, options);
                                   });
}

Result<SnsOptimum> optimise_mode_pairing(const ProtocolParameters& start, const SecurityParameters& security,
                                         const StatisticsPredictor& predict, const ModePairingOptions& options,
                                         unsigned max_evaluations) {
    TFQKD_TRY(validate(start));
    if (start.family != Family::mode_pairing || !(start.alice == start.bob))
        return make_error(Errc::invalid_argument, "protocol", "family",
                          "optimise_mode_pairing searches the symmetric mode_pairing protocol");
    const auto roles = mp_roles(start.alice, "alice");
    if (!roles) return roles.error();
    const std::vector<double> lower{std::log(1e-3), logit(0.01), -6, -6};
    const std::vector<double> upper{std::log(2.0), logit(0.9), 6, 6};
    const auto& s = start.alice;
    const double q0 = s[roles->vacuum].probability;
    std::vector<double> x{std::log(s[roles->signal].intensity),
                          logit(s[roles->decoy].intensity / s[roles->signal].intensity),
                          std::log(s[roles->decoy].probability / q0), std::log(s[roles->signal].probability / q0)};
    MpSearch search{&start, &security, &predict, &options};
    const double best = maximise_in_box(mp_objective, &search, lower, upper, x, max_evaluations);
    return certify_optimum(to_mp_protocol(start, x), search.evaluations, best, predict,
                           [&](const ProtocolParameters& p, const CountStatistics& c) {
                               return mode_pairing_key_length(p, security, c, options);
                           });
}

Result<SnsOptimum> optimise_sns(const ProtocolParameters& start, const SecurityParameters& security,
                                const StatisticsPredictor& predict, const SnsOptions& options,
                                unsigned max_evaluations) {
    TFQKD_TRY(validate(start));
    const auto roles = sns_roles(start.alice, "alice");
    if (!roles) return roles.error();
    if (start.family != Family::sns || !(start.alice == start.bob))
        return make_error(Errc::invalid_argument, "protocol", "family",
                          "optimise_sns searches the symmetric SNS protocol (3- or 4-intensity, with or without AOPP)");
    const bool four = roles->x_strong.has_value();
    std::vector<double> lower{std::log(0.01), std::log(1e-4), logit(0.05), std::log(1e-3)};
    std::vector<double> upper{std::log(1.0), std::log(0.5), logit(0.98), std::log(0.4)};
    if (four) {
        lower.insert(lower.end(), {std::log(1.2), -6});
        upper.insert(upper.end(), {std::log(100.0), 6});
    }
    lower.push_back(-6);  // weight_weak
    upper.push_back(6);
    std::vector<double> x = from_protocol(start, *roles);
    Search search{&start, &security, &predict, &options};
    const double best = maximise_in_box(objective, &search, lower, upper, x, max_evaluations);
    return certify_optimum(to_protocol(start, x), search.evaluations, best, predict,
                           [&](const ProtocolParameters& p, const CountStatistics& c) {
                               return sns_key_length(p, security, c, options);
                           });
}

Result<SnsOptimum> optimise_family(const ProtocolParameters& start, const SecurityParameters& security,
                                   const StatisticsPredictor& predict, const SnsOptions& options,
                                   unsigned max_evaluations) {
    switch (start.family) {
        case Family::pm: return optimise_pm(start, security, predict, options, max_evaluations);
        case Family::cal19: return optimise_cal19(start, security, predict, options, max_evaluations);
        case Family::mode_pairing: return optimise_mode_pairing(start, security, predict, options, max_evaluations);
        case Family::sns: break;
    }
    return optimise_sns(start, security, predict, options, max_evaluations);
}

}  // namespace tfqkd::security
