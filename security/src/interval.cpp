#include "security/interval.hpp"

#include <mpfi.h>
#include <mpfr.h>

#include <cmath>

namespace tfqkd::security {
namespace {

unsigned bits_to_digits10(unsigned bits) {
    // Enough decimal digits that Boost's conversion back to bits gives at least `bits`.
    return static_cast<unsigned>(std::ceil(bits * 0.30102999566398120)) + 1;
}

// The exact endpoints of x as thin intervals.
Interval left_point(const Interval& x) {
    Real e;
    mpfi_get_left(e.backend().data(), x.backend().data());
    Interval r;
    mpfi_set_fr(r.backend().data(), e.backend().data());
    return r;
}

Interval right_point(const Interval& x) {
    Real e;
    mpfi_get_right(e.backend().data(), x.backend().data());
    Interval r;
    mpfi_set_fr(r.backend().data(), e.backend().data());
    return r;
}

// [left end of a, right end of b]
Interval join(const Interval& a, const Interval& b) {
    Real l;
    Real r;
    mpfi_get_left(l.backend().data(), a.backend().data());
    mpfi_get_right(r.backend().data(), b.backend().data());
    Interval out;
    mpfi_interv_fr(out.backend().data(), l.backend().data(), r.backend().data());
    return out;
}

// h at a point p in [0, 1] (a thin interval), enclosed.
Interval entropy_at(const Interval& p) {
    const Interval zero = point(0.0);
    const Interval one = point(1.0);
    Interval h = zero;
    if (certainly_positive(p)) h -= p * log2(p);
    const Interval q = one - p;
    if (certainly_positive(q)) h -= q * log2(q);
    return h;
}

// I0 at a point x >= 0 (a thin interval).
Interval bessel_i0_at(const Interval& x) {
    const Interval quarter_x2 = (x * x) / 4;
    Interval term = point(1.0);
    Interval sum = term;
    const double xd = hi(x);
    // Past k > x/2 the ratio of successive terms, (x/2)^2 / (k+1)^2, is below 1 and falls.
    const auto k_min = static_cast<unsigned long>(xd / 2) + 1;
    const Real tiny = boost::multiprecision::ldexp(Real(1), -static_cast<int>(precision_bits()) - 8);
    for (unsigned long k = 0;; ++k) {
        term = term * quarter_x2 / Interval((k + 1) * (k + 1));
        sum += term;
        if (k + 1 >= k_min) {
            // Tail after this term: sum_{j>k+1} t_j <= t_{k+1} r / (1 - r), r the next ratio.
            const Interval r = quarter_x2 / Interval((k + 2) * (k + 2));
            if (certainly_less(r, point(1.0)) && Real(upper(term)) < tiny * Real(lower(sum))) {
                const Interval tail = term * r / (point(1.0) - r);
                return sum + hull(point(0.0), tail);
            }
        }
    }
}

}  // namespace

PrecisionGuard::PrecisionGuard(unsigned bits)
    : previous_interval_digits_(Interval::default_precision()), previous_real_digits_(Real::default_precision()) {
    Interval::default_precision(bits_to_digits10(bits));
    Real::default_precision(bits_to_digits10(bits));
}

PrecisionGuard::~PrecisionGuard() {
    Interval::default_precision(previous_interval_digits_);
    Real::default_precision(previous_real_digits_);
}

unsigned precision_bits() {
    Interval probe;
    return static_cast<unsigned>(mpfi_get_prec(probe.backend().data()));
}

Interval point(double value) { return Interval(value); }

Interval hull(const Interval& a, const Interval& b) {
    Interval out;
    mpfi_union(out.backend().data(), a.backend().data(), b.backend().data());
    return out;
}

Interval from_decimal(const std::string& text) {
    Interval out;
    mpfi_set_str(out.backend().data(), text.c_str(), 10);
    return out;
}

double lo(const Interval& x) {
    Real e;
    mpfi_get_left(e.backend().data(), x.backend().data());
    return mpfr_get_d(e.backend().data(), MPFR_RNDD);
}

double hi(const Interval& x) {
    Real e;
    mpfi_get_right(e.backend().data(), x.backend().data());
    return mpfr_get_d(e.backend().data(), MPFR_RNDU);
}

double mid(const Interval& x) {
    Real e;
    mpfi_mid(e.backend().data(), x.backend().data());
    return mpfr_get_d(e.backend().data(), MPFR_RNDN);
}

double width(const Interval& x) {
    Real e;
    mpfi_diam_abs(e.backend().data(), x.backend().data());
    return mpfr_get_d(e.backend().data(), MPFR_RNDU);
}

bool certainly_positive(const Interval& x) { return mpfi_is_strictly_pos(x.backend().data()) != 0; }

bool certainly_less(const Interval& a, const Interval& b) {
    Real ar;
    Real bl;
    mpfi_get_right(ar.backend().data(), a.backend().data());
    mpfi_get_left(bl.backend().data(), b.backend().data());
    return ar < bl;
}

bool contains(const Interval& x, const Interval& y) { return mpfi_is_inside(y.backend().data(), x.backend().data()) != 0; }

bool contains(const Interval& x, double value) { return mpfi_is_inside_d(value, x.backend().data()) != 0; }

Interval clamp_nonnegative(const Interval& x) {
    if (lo(x) >= 0) return x;
    if (hi(x) <= 0) return point(0.0);
    return join(point(0.0), x);
}

Interval clamp_probability(const Interval& p) {
    Interval x = clamp_nonnegative(p);
    if (hi(x) <= 1) return x;
    if (lo(x) >= 1) return point(1.0);
    return join(x, point(1.0));
}

Interval max(const Interval& a, const Interval& b) {
    Real la, lb, ra, rb;
    mpfi_get_left(la.backend().data(), a.backend().data());
    mpfi_get_left(lb.backend().data(), b.backend().data());
    mpfi_get_right(ra.backend().data(), a.backend().data());
    mpfi_get_right(rb.backend().data(), b.backend().data());
    const Real& l = la < lb ? lb : la;
    const Real& r = ra < rb ? rb : ra;
    Interval out;
    mpfi_interv_fr(out.backend().data(), l.backend().data(), r.backend().data());
    return out;
}

Interval min(const Interval& a, const Interval& b) { return -max(-a, -b); }

Interval log2(const Interval& x) {
    Interval out;
    mpfi_log2(out.backend().data(), x.backend().data());
    return out;
}

Interval binary_entropy(const Interval& p_in) {
    const Interval p = clamp_probability(p_in);
    const Interval a = left_point(p);
    const Interval b = right_point(p);
    if (hi(b) <= 0.5) return join(entropy_at(a), entropy_at(b));  // increasing piece
    if (lo(a) >= 0.5) return join(entropy_at(b), entropy_at(a));  // decreasing piece
    // p straddles 1/2, where h reaches its maximum 1.
    const Interval ha = entropy_at(a);
    const Interval hb = entropy_at(b);
    return join(lo(ha) < lo(hb) ? ha : hb, point(1.0));
}

Interval bessel_i0(const Interval& x_in) {
    const Interval x = clamp_nonnegative(x_in);
    // I0 increases on [0, inf): its range over x is [I0(left), I0(right)].
    return join(bessel_i0_at(left_point(x)), bessel_i0_at(right_point(x)));
}

std::uint64_t certified_floor(const Interval& x) {
    Real e;
    mpfi_get_left(e.backend().data(), x.backend().data());
    if (mpfr_sgn(e.backend().data()) <= 0) return 0;
    return mpfr_get_uj(e.backend().data(), MPFR_RNDD);
}

std::string to_string(const Interval& x, int digits) {
    Real l;
    Real r;
    mpfi_get_left(l.backend().data(), x.backend().data());
    mpfi_get_right(r.backend().data(), x.backend().data());
    char lbuf[128];
    char rbuf[128];
    mpfr_snprintf(lbuf, sizeof lbuf, "%.*RDg", digits, l.backend().data());
    mpfr_snprintf(rbuf, sizeof rbuf, "%.*RUg", digits, r.backend().data());
    return std::string("[") + lbuf + ", " + rbuf + "]";
}

double binary_entropy(double p) noexcept {
    if (p <= 0 || p >= 1) return 0;
    return -p * std::log2(p) - (1 - p) * std::log2(1 - p);
}

}  // namespace tfqkd::security
