// Parameter optimisation: a double-precision search over a protocol's intensities and
// probabilities (NLopt's BOBYQA), whose optimum is then certified in intervals. The search may be
// wrong by its rounding; the certified key length of the point it returns is not.
#pragma once

#include <functional>

#include "base/result.hpp"
#include "security/cal19.hpp"
#include "security/experiment.hpp"
#include "security/mode_pairing.hpp"
#include "security/pm.hpp"
#include "security/sns.hpp"

namespace tfqkd::security {

// Predicts the statistics of an experiment with given parameters (for example the analytic channel
// model of hardware_model/, bound to a link). The optimiser calls it once per evaluation.
using StatisticsPredictor = std::function<Result<CountStatistics>(const ProtocolParameters&)>;

struct SnsOptimum {
    ProtocolParameters protocol;  // the optimised parameters (symmetric: bob == alice)
    CountStatistics statistics;   // their predicted statistics
    KeyLength key;                // certified, in intervals, from those statistics
    double estimate = 0;          // the double-precision key length the search reached
    unsigned evaluations = 0;
};

// Maximises the SNS key length over mu_z, the sending probability eps, p_z, mu_1, mu_2 and the
// split of the X window between its decoys, starting from `start` (symmetric; the 3- or 4-intensity
// protocol and AOPP or not, as `start` says; the 3-intensity protocol has no mu_2 and keeps
// mu_1 <= 0.9 mu_z). The search box: mu_z in [0.01, 1], eps in [1e-4, 0.5], p_z in [0.05, 0.98],
// mu_1 in [1e-3, 0.4], mu_2 in [1.2 mu_1, 1.5].
Result<SnsOptimum> optimise_sns(const ProtocolParameters& start, const SecurityParameters& security,
                                const StatisticsPredictor& predict, const SnsOptions& options,
                                unsigned max_evaluations = 800);

// Maximises the PM key length (docs/security.md 7) over the per-party key intensity mu/2, p_key,
// nu_1/2, nu_2/2 and the split of the test mode between vacuum, nu_1 and nu_2, starting from `start`
// (symmetric PM). The box: mu/2 in [1e-3, 0.5], p_key in [0.05, 0.98], nu_1/2 in [1e-4, 0.2],
// nu_2/2 in [1.2 nu_1/2, 1]. The result's fields mean what they mean for SNS.
Result<SnsOptimum> optimise_pm(const ProtocolParameters& start, const SecurityParameters& security,
                               const StatisticsPredictor& predict, const PmOptions& options,
                               unsigned max_evaluations = 800);

// Maximises the CAL19 key length (docs/security.md 8) over alpha^2, p_key, nu_1, nu_2 and the split
// of the test mode between vacuum, nu_1 and nu_2, starting from `start` (symmetric CAL19 with three
// decoys, one of them vacuum). The box: alpha^2 in [1e-3, 0.5], p_key in [0.05, 0.98], nu_1 in
// [1e-4, 0.2], nu_2 in [1.2 nu_1, 1]. Each evaluation solves nine small linear programs.
Result<SnsOptimum> optimise_cal19(const ProtocolParameters& start, const SecurityParameters& security,
                                  const StatisticsPredictor& predict, const Cal19Options& options,
                                  unsigned max_evaluations = 800);

// Maximises the MP key length (docs/security.md 9) over the signal intensity mu, the ratio nu/mu
// and the split of each round between vacuum, nu and mu, starting from `start` (symmetric MP; M, k
// and the maximal pairing interval l stay as given). The box: mu in [1e-3, 2], nu/mu in
// [0.01, 0.9], each softmax weight (against the vacuum's 0) in [-6, 6]. The result's fields mean
// what they mean for SNS.
Result<SnsOptimum> optimise_mode_pairing(const ProtocolParameters& start, const SecurityParameters& security,
                                         const StatisticsPredictor& predict, const ModePairingOptions& options,
                                         unsigned max_evaluations = 800);

// The optimiser of `start`'s family (the four above), for callers that take any family: the
// `tfqkd keyrate --optimise` points and the pairs of a network plan.
Result<SnsOptimum> optimise_family(const ProtocolParameters& start, const SecurityParameters& security,
                                   const StatisticsPredictor& predict, const SnsOptions& options,
                                   unsigned max_evaluations = 800);

}  // namespace tfqkd::security
