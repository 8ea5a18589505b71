// Fundamental limits of repeaterless key distribution, for comparison with TF-QKD rates.
#pragma once

#include "security/interval.hpp"

namespace tfqkd::security {

// PLOB bound (Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017)): the secret-key
// capacity of a pure-loss channel of transmittance eta is -log2(1 - eta) bits per use.
Interval plob_bound(const Interval& eta);

// TGW bound (Takeoka, Guha, Wilde, Nat. Commun. 5, 5235 (2014)): log2((1 + eta) / (1 - eta)).
Interval tgw_bound(const Interval& eta);

// Transmittance of `distance_km` of fibre at `attenuation_db_per_km`, times `efficiency`:
// efficiency * 10^(-attenuation * distance / 10), in intervals.
Interval fibre_transmittance(double distance_km, double attenuation_db_per_km, double efficiency = 1.0);

}  // namespace tfqkd::security
