#include "security/bounds.hpp"

namespace tfqkd::security {

Interval plob_bound(const Interval& eta) { return -log2(point(1.0) - eta); }

Interval tgw_bound(const Interval& eta) { return log2((point(1.0) + eta) / (point(1.0) - eta)); }

Interval fibre_transmittance(double distance_km, double attenuation_db_per_km, double efficiency) {
    // 10^(-x/10) = exp(-x ln(10) / 10), with ln 10 enclosed.
    const Interval loss_db = point(distance_km) * point(attenuation_db_per_km);
    return point(efficiency) * exp(-loss_db * log(point(10.0)) / 10);
}

}  // namespace tfqkd::security
