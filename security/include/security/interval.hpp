// Certified numerics: interval arithmetic over MPFR (MPFI, through Boost.Multiprecision).
//
// Every number that certifies security is an Interval that encloses the exact value of the formula
// it was computed by: each operation rounds its lower end down and its upper end up. A certified
// lower bound is the lower end of such an interval, a certified upper bound its upper end, and a
// certified key length the floor of a lower end (never negative). Fast double code may search for
// parameters; only this code certifies (docs/security.md, "Certified numerics").
//
// Comparisons: Boost's relational operators on intervals are true only when they hold for every
// pair of points, which is easy to misread; use the named predicates below instead.
#pragma once

// The default working precision, in decimal digits as Boost counts it: 58 digits are 194 bits,
// which keeps the width of a key length of 10^12 bits far below one bit after a few hundred
// operations. Boost keeps the default in a process-wide static initialised from these macros, so
// they must be the same in every translation unit: tfqkd includes Boost's MPFR/MPFI headers only
// through this one.
#ifndef BOOST_MULTIPRECISION_MPFI_DEFAULT_PRECISION
#define BOOST_MULTIPRECISION_MPFI_DEFAULT_PRECISION 58
#endif
#ifndef BOOST_MULTIPRECISION_MPFR_DEFAULT_PRECISION
#define BOOST_MULTIPRECISION_MPFR_DEFAULT_PRECISION 58
#endif
#if BOOST_MULTIPRECISION_MPFI_DEFAULT_PRECISION != 58 || BOOST_MULTIPRECISION_MPFR_DEFAULT_PRECISION != 58
#error "tfqkd's interval precision macros were defined differently elsewhere"
#endif

#include <boost/multiprecision/mpfi.hpp>

#include <cstdint>
#include <string>

namespace tfqkd::security {

using Interval = boost::multiprecision::number<boost::multiprecision::mpfi_float_backend<0>,
                                               boost::multiprecision::et_off>;
using Real = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<0>,
                                           boost::multiprecision::et_off>;

// The default working precision in bits (at least; see the macros above).
inline constexpr unsigned kDefaultPrecisionBits = 192;

// Sets the working precision (in bits) of Interval and Real numbers created while the guard lives,
// and restores the previous precision after. The precision is process-wide (Boost keeps it in a
// static): do not change it while other threads compute.
class PrecisionGuard {
public:
    explicit PrecisionGuard(unsigned bits);
    ~PrecisionGuard();
    PrecisionGuard(const PrecisionGuard&) = delete;
    PrecisionGuard& operator=(const PrecisionGuard&) = delete;

private:
    unsigned previous_interval_digits_;
    unsigned previous_real_digits_;
};

// The current working precision in bits.
unsigned precision_bits();

// An exact point interval (every double is exactly representable at 53 bits or more).
Interval point(double value);
// The smallest interval enclosing both.
Interval hull(const Interval& a, const Interval& b);
// The interval enclosing the decimal number in `text` (e.g. "0.1", which no double represents).
Interval from_decimal(const std::string& text);

// Endpoints rounded outward to double: lo() <= exact lower end, hi() >= exact upper end.
double lo(const Interval& x);
double hi(const Interval& x);
// The midpoint rounded to nearest: for display and for non-certifying searches only.
double mid(const Interval& x);
// hi - lo, rounded up.
double width(const Interval& x);

bool certainly_positive(const Interval& x);   // every point > 0
bool certainly_less(const Interval& a, const Interval& b);  // every point of a < every point of b
bool contains(const Interval& x, const Interval& y);        // y is inside x
bool contains(const Interval& x, double value);

// Intersection with [0, +inf): for quantities known to be non-negative (counts, probabilities)
// whose enclosure dips below zero only through a bound that can be negative in general.
Interval clamp_nonnegative(const Interval& x);
// The interval of max(a, b) and min(a, b) over all pairs of points.
Interval max(const Interval& a, const Interval& b);
Interval min(const Interval& a, const Interval& b);

Interval log2(const Interval& x);

// Binary entropy h(p) = -p log2 p - (1-p) log2(1-p), with h(0) = h(1) = 0, for p in [0, 1].
// Monotone pieces are handled exactly: increasing on [0, 1/2], decreasing on [1/2, 1], maximum 1.
// Points of x outside [0, 1] are a programming error: the result is then [0, 1] widened to NaN-free
// bounds only if the caller clamps first; callers clamp with clamp_probability.
Interval binary_entropy(const Interval& p);
// Intersection with [0, 1].
Interval clamp_probability(const Interval& p);

// The modified Bessel function of the first kind of order zero, I0(x) = sum_k (x/2)^{2k} / (k!)^2,
// for x >= 0: the series summed until its terms fall, plus an enclosure of the tail.
Interval bessel_i0(const Interval& x);

// floor(lo(x)) as an integer, and 0 when it is negative: a certified length from a lower bound.
std::uint64_t certified_floor(const Interval& x);

// "[1.2345e-05, 1.2346e-05]" with `digits` significant digits, outward rounded.
std::string to_string(const Interval& x, int digits = 8);

// Double counterparts of the helpers above, so that a formula written once as a template over the
// number type (Interval to certify, double for the optimiser's search) reads the same for both.
// They round to nearest and certify nothing.
inline double clamp_nonnegative(double x) noexcept { return x < 0 ? 0 : x; }
inline double clamp_probability(double x) noexcept { return x < 0 ? 0 : (x > 1 ? 1 : x); }
inline bool certainly_positive(double x) noexcept { return x > 0; }
inline double hi(double x) noexcept { return x; }
double binary_entropy(double p) noexcept;

}  // namespace tfqkd::security
