// CAL19 key length: docs/security.md, section 8 (phase-error bound 8.2, sum over rounds 8.3, linear
// programs 8.4, finite size 8.5, key length and composition 8.6).
//
// One template over the number type, as sns.cpp and pm.cpp: Interval certifies, double is the
// fast estimate of the parameter search.
#include "security/cal19.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <type_traits>

#include "key_length_terms.hpp"
#include "security/concentration.hpp"
#include "security/linear_program.hpp"

namespace tfqkd::security {
namespace {

constexpr std::string_view kCounts = "counts";


// min(x, y) for both number types (the Interval overload is in interval.hpp).
double min(double a, double b) { return std::min(a, b); }
using security::min;

double upper_end(double x) { return x; }
double upper_end(const Interval& x) { return hi(x); }

struct Cal19Inputs {
    Cal19Roles alice;
    Cal19Roles bob;
    std::vector<const ClassCounts*> classes;  // the X-X test classes given
};

Result<Cal19Inputs> check_inputs(const ProtocolParameters& protocol, const SecurityParameters& security,
                                 const CountStatistics& counts) {
    TFQKD_TRY(validate(protocol));
    TFQKD_TRY(validate(security));
    TFQKD_TRY(validate(counts, protocol));
    if (protocol.family != Family::cal19)
        return make_error(Errc::invalid_argument, "protocol", "family", "cal19_key_length certifies the CAL19 family");
    auto alice = cal19_roles(protocol.alice, "alice");
    if (!alice) return alice.error();
    auto bob = cal19_roles(protocol.bob, "bob");
    if (!bob) return bob.error();
    Cal19Inputs in{std::move(*alice), std::move(*bob), {}};
    for (const ClassCounts& c : counts.classes) {
        if (protocol.alice[c.alice].window != Window::x || protocol.bob[c.bob].window != Window::x)
            return make_error(Errc::inconsistent, kCounts, "classes[].alice",
                              "CAL19 certifies from X-X test classes only; class (alice " + std::to_string(c.alice) +
                                  ", bob " + std::to_string(c.bob) + ") names a key setting");
        if (c.sent > 0) in.classes.push_back(&c);
    }
    if (in.classes.empty())
        return make_error(Errc::inconsistent, kCounts, "classes",
                          "CAL19 needs the X-X test classes (pairs of decoys with their clicks); none with windows given");
    return in;
}

// Poisson weights e^-mu mu^n / n!, n = 0..cutoff, and the enclosure of their sum's complement.
template <class T>
std::vector<T> poisson(double intensity, unsigned cutoff) {
    using std::exp;
    std::vector<T> w(cutoff + 1);
    const T mu = T(intensity);
    w[0] = exp(-mu);
    for (unsigned n = 1; n <= cutoff; ++n) w[n] = w[n - 1] * mu / T(static_cast<double>(n));
    return w;
}

// Amplitudes c_n = e^(-alpha^2/2) alpha^n / sqrt(n!) of the coherent state |alpha> (8.2), n <= cutoff,
// and an upper bound on sum_{n > cutoff} c_n: the ratio c_{n+1} / c_n = alpha / sqrt(n + 1) decreases,
// so the tail is at most c_{K+1} / (1 - alpha / sqrt(K + 2)).
template <class T>
struct Amplitudes {
    std::vector<T> c;
    T head_sum;
    T tail_upper;
};

template <class T>
Amplitudes<T> amplitudes(double alpha_squared, unsigned cutoff) {
    using std::exp;
    using std::sqrt;
    Amplitudes<T> a;
    const T alpha = sqrt(T(alpha_squared));
    a.c.resize(cutoff + 1);
    a.c[0] = exp(-T(alpha_squared) / 2);
    a.head_sum = a.c[0];
    for (unsigned n = 1; n <= cutoff; ++n) {
        a.c[n] = a.c[n - 1] * alpha / sqrt(T(static_cast<double>(n)));
        a.head_sum = a.head_sum + a.c[n];
    }
    const T next = a.c[cutoff] * alpha / sqrt(T(static_cast<double>(cutoff + 1)));
    a.tail_upper = next / (1 - alpha / sqrt(T(static_cast<double>(cutoff + 2))));
    return a;
}

// The concave bound of 8.2 on the phase-error probability per key window:
// F(s) = (beyond + sum_{even pairs} w_j sqrt(s_j))^2 + (beyond + sum_{odd pairs} w_j sqrt(s_j))^2,
// w_j = c_n c_m; parity[j] is 0 (n, m even), 1 (both odd) or -1 (no weight). F is concave on s >= 0
// (a sum of geometric means and square roots with nonnegative weights; 8.3), so a tangent plane
// at any s0 > 0 lies above it.
template <class T>
struct PhaseErrorFunction {
    std::vector<T> weights;
    std::vector<int> parity;
    T beyond;

    // The two sums at s (double or T), each point given as doubles.
    template <class U>
    std::array<U, 2> sums(const std::vector<double>& s, const std::vector<U>& w, const U& tail) const {
        using std::sqrt;
        std::array<U, 2> out{tail, tail};
        for (std::size_t j = 0; j < s.size(); ++j)
            if (parity[j] >= 0) out[static_cast<std::size_t>(parity[j])] = out[static_cast<std::size_t>(parity[j])] + w[j] * sqrt(U(s[j]));
        return out;
    }
};

struct Precision {
    double relative_gap;    // stop when the Frank-Wolfe gap is below this fraction of F
    unsigned iterations;    // and after at most this many steps
};
// Certification stops at a Frank-Wolfe gap of a tenth of a percent of the bound.
template <class T>
Precision precision_for() {
    return {1e-3, 400};
}

double to_double(double x) { return x; }
double to_double(const Interval& x) { return mid(x); }

// A cruder bound for the parameter search: F at the vector of each yield's own maximum (n + m <= 4
// by linear programs, the rest by their boxes). F increases in every yield, so this bounds max F
// too (about 5 % above the tangent-plane bound in the tests); unlike Frank-Wolfe stopped at a
// tolerance, it is a piecewise-smooth function of the parameters, which the search needs.
template <class T>
Result<T> coordinatewise_phase_error_bound(CertifiedLinearProgram<T>& program, const PhaseErrorFunction<T>& f,
                                           std::size_t side) {
    using std::sqrt;
    const std::vector<double>& box = program.program().column_upper;
    std::vector<double> upper = box;
    std::vector<T> objective(box.size(), T(0.0));
    for (std::size_t n = 0; n < std::min<std::size_t>(side, 5); ++n)
        for (std::size_t m = n % 2; m < std::min<std::size_t>(side, 5); m += 2) {
            if (n + m > 4) continue;
            const std::size_t j = n * side + m;
            objective[j] = T(1.0);
            auto best = program.maximise(objective);
            if (!best) return best.error();
            objective[j] = T(0.0);
            upper[j] = std::min(box[j], upper_end(best->bound));
        }
    const auto sums = f.sums(upper, f.weights, f.beyond);
    return sums[0] * sums[0] + sums[1] * sums[1];
}

// Frank-Wolfe on F over the program's polytope (in double), then the certificate in T:
// max F <= F(s0) + max_s g.s - g.s0 with g the gradient of F at s0 (tangent plane of a concave F),
// the middle term bounded by the program's dual.
template <class T>
Result<T> maximise_phase_error_function(CertifiedLinearProgram<T>& program, const PhaseErrorFunction<T>& f,
                                        Precision precision) {
    const std::size_t cols = f.weights.size();
    std::vector<double> w(cols);
    for (std::size_t j = 0; j < cols; ++j) w[j] = to_double(f.weights[j]);
    const double tail = to_double(f.beyond);
    const std::vector<double>& box = program.program().column_upper;
    // Gradients need s_j > 0 wherever w_j > 0: a floor far below any yield that matters. A yield
    // whose box is 0 (a row with no clicks, asymptotically) is 0 on the whole polytope: F is then
    // taken on that face, where it is concave too, with s_j = 0 and no gradient term.
    const auto floored = [&](std::vector<double> s) {
        for (std::size_t j = 0; j < cols; ++j)
            if (f.parity[j] >= 0) s[j] = box[j] > 0 ? std::max(s[j], std::max(1e-300, 1e-9 * box[j])) : 0.0;
        return s;
    };
    const auto value = [&](const std::vector<double>& s) {
        const auto sums = f.sums(s, w, tail);
        return sums[0] * sums[0] + sums[1] * sums[1];
    };
    const auto gradient = [&](const std::vector<double>& s) {
        const auto sums = f.sums(s, w, tail);
        std::vector<double> g(cols, 0.0);
        for (std::size_t j = 0; j < cols; ++j)
            if (f.parity[j] >= 0 && s[j] > 0) g[j] = sums[static_cast<std::size_t>(f.parity[j])] * w[j] / std::sqrt(s[j]);
        return g;
    };
    const auto as_objective = [](const std::vector<double>& g) {
        std::vector<T> out(g.size());
        for (std::size_t j = 0; j < g.size(); ++j) out[j] = T(g[j]);
        return out;
    };
    // Start where the linear part of F is largest.
    auto start = program.maximise(as_objective(w));
    if (!start) return start.error();
    std::vector<double> s = floored(start->solution);
    for (unsigned it = 0; it < precision.iterations; ++it) {
        const std::vector<double> g = gradient(s);
        auto vertex = program.maximise(as_objective(g));
        if (!vertex) return vertex.error();
        const std::vector<double>& v = vertex->solution;
        double gap = 0;
        for (std::size_t j = 0; j < cols; ++j) gap += g[j] * (v[j] - s[j]);
        const double current = value(s);
        if (gap <= precision.relative_gap * current) break;
        // Exact line search on the concave restriction to [s, v]: golden section.
        const auto along = [&](double t) {
            std::vector<double> x(cols);
            for (std::size_t j = 0; j < cols; ++j) x[j] = s[j] + t * (v[j] - s[j]);
            return x;
        };
        double a = 0, b = 1;
        const double r = 0.6180339887498949;
        for (int k = 0; k < 40; ++k) {
            const double m1 = b - r * (b - a), m2 = a + r * (b - a);
            if (value(floored(along(m1))) < value(floored(along(m2)))) a = m1;
            else b = m2;
        }
        s = floored(along((a + b) / 2));
    }
    // The certificate at s0 = s, every term in T.
    using std::sqrt;
    const auto sums = f.sums(s, f.weights, f.beyond);
    std::vector<T> g(cols, T(0.0));
    T g_dot_s = T(0.0);
    for (std::size_t j = 0; j < cols; ++j)
        if (f.parity[j] >= 0 && s[j] > 0) {
            g[j] = sums[static_cast<std::size_t>(f.parity[j])] * f.weights[j] / sqrt(T(s[j]));
            g_dot_s = g_dot_s + g[j] * T(s[j]);
        }
    auto plane = program.maximise(g);
    if (!plane) return plane.error();
    return sums[0] * sums[0] + sums[1] * sums[1] + plane->bound - g_dot_s;
}

template <class T>
struct Evaluation {
    T length;
    SnsBreakdownOf<T> breakdown;
};

template <class T>
Result<Evaluation<T>> evaluate(const ProtocolParameters& protocol, const SecurityParameters& security,
                               const CountStatistics& counts, const Cal19Options& options, const Cal19Inputs& in) {
    using std::sqrt;
    const bool finite = options.analysis == Analysis::finite;
    const double n_pulses = static_cast<double>(protocol.pulses);
    double largest = 0;
    for (const ClassCounts* c : in.classes)
        largest = std::max({largest, protocol.alice[c->alice].intensity, protocol.bob[c->bob].intensity});
    const unsigned cutoff = cal19_photon_cutoff(largest);
    const std::size_t side = cutoff + 1;
    const auto column = [side](std::size_t n, std::size_t m) { return n * side + m; };

    // 8.4: one row per test class, bounding sum_{n,m <= K} P_a(n) P_b(m) s_nm, the average yield
    // of the class's photon-number mixture, from its effective count.
    BoxedLinearProgram<T> lp;
    lp.columns = side * side;
    lp.column_upper.assign(lp.columns, 1.0);
    for (const ClassCounts* c : in.classes) {
        const Setting& sa = protocol.alice[c->alice];
        const Setting& sb = protocol.bob[c->bob];
        const std::vector<T> pa = poisson<T>(sa.intensity, cutoff);
        const std::vector<T> pb = poisson<T>(sb.intensity, cutoff);
        T head_a = T(0.0), head_b = T(0.0);
        for (unsigned n = 0; n <= cutoff; ++n) {
            head_a = head_a + pa[n];
            head_b = head_b + pb[n];
        }
        const T tail = 1 - head_a * head_b;  // the weight of photon numbers beyond the cutoff
        T rate_lower, rate_upper;
        if (finite) {
            // C7 bounds the sum of the class's conditional click probabilities; each round is of this
            // class with prior probability p_a p_b, so the rows bound that sum over N p_a p_b.
            const BasicBounds<T> sum = formulas::martingale_expected_from_observed<T>(c->effective(), security.eps_pe);
            const T windows = T(n_pulses) * T(sa.probability) * T(sb.probability);
            rate_lower = sum.lower / windows;
            rate_upper = sum.upper / windows;
        } else {
            rate_lower = rate_upper = T(c->effective()) / T(c->sent);
        }
        for (std::size_t n = 0; n <= cutoff; ++n)
            for (std::size_t m = 0; m <= cutoff; ++m) lp.coefficients.push_back(pa[n] * pb[m]);
        lp.row_lower.push_back(rate_lower - tail);
        lp.row_upper.push_back(rate_upper);
    }
    // Each row alone bounds every yield it weighs: s_nm <= row_upper / (P_a(n) P_b(m)), since the
    // other terms are >= 0. These boxes keep the program well scaled and bound the yields that are
    // no target.
    for (std::size_t i = 0; i < lp.rows(); ++i)
        for (std::size_t j = 0; j < lp.columns; ++j) {
            const T& a = lp.coefficients[i * lp.columns + j];
            if (!(upper_end(a) > 0)) continue;  // a vacuum decoy weighs only s_0m (or s_n0)
            const double bound = upper_end(lp.row_upper[i] / a);
            lp.column_upper[j] = std::min(lp.column_upper[j], std::max(bound, 0.0));
        }
    // 8.2-8.4: the phase-error probability per key window is at most the concave function F of the
    // yields (phase_error_function); its maximum over the program's polytope is bounded by a
    // tangent plane at a near-maximiser found by Frank-Wolfe, certified by the program's dual.
    const Amplitudes<T> ca = amplitudes<T>(protocol.alice[in.alice.key].intensity, cutoff);
    const Amplitudes<T> cb = amplitudes<T>(protocol.bob[in.bob.key].intensity, cutoff);
    PhaseErrorFunction<T> f;
    f.weights.assign(lp.columns, T(0.0));
    f.parity.assign(lp.columns, -1);
    for (std::size_t n = 0; n <= cutoff; ++n)
        for (std::size_t m = n % 2; m <= cutoff; m += 2) {
            f.weights[column(n, m)] = ca.c[n] * cb.c[m];
            f.parity[column(n, m)] = static_cast<int>(n % 2);
        }
    // Photon numbers beyond the cutoff: yields at most 1, amplitudes summed into both sums.
    f.beyond = ca.head_sum * cb.tail_upper + ca.tail_upper * cb.head_sum + ca.tail_upper * cb.tail_upper;
    auto program = CertifiedLinearProgram<T>::create(std::move(lp), "classes");
    if (!program) return program.error();
    std::vector<T> vacuum_objective(side * side, T(0.0));
    vacuum_objective[column(0, 0)] = T(1.0);
    auto vacuum = program->maximise(vacuum_objective);
    if (!vacuum) return vacuum.error();
    // The search's estimate takes the smooth coordinatewise bound; certification the tangent plane.
    auto per_window = std::is_same_v<T, double> ? coordinatewise_phase_error_bound(*program, f, side)
                                                : maximise_phase_error_function(*program, f, precision_for<T>());
    if (!per_window) return per_window.error();
    const T key_windows = T(n_pulses) * T(protocol.alice[in.alice.key].probability) *
                          T(protocol.bob[in.bob.key].probability);
    T phase_errors = key_windows * *per_window;
    unsigned estimates = 0;
    if (finite) {
        // 8.5: C7 from the sum of the conditional phase-error probabilities to the count.
        phase_errors = formulas::martingale_observed_from_expected_upper<T>(phase_errors, security.eps_pe);
        estimates = static_cast<unsigned>(2 * in.classes.size() + 1);
    }

    Evaluation<T> out{};
    SnsBreakdownOf<T>& br = out.breakdown;
    const T m_key = T(counts.key.effective);
    br.s0_lower = T(0.0);
    br.s0_upper = T(std::min(1.0, upper_end(vacuum->bound)));
    br.s1_lower = T(0.0);
    br.untagged_lower = m_key;
    br.raw_untagged_lower = m_key;
    br.phase_errors_upper = phase_errors;
    br.phase_error_rate_upper = T(0.5);
    if (counts.key.effective > 0) br.phase_error_rate_upper = min(clamp_probability(phase_errors / m_key), T(0.5));
    br.raw_phase_error_rate_upper = br.phase_error_rate_upper;
    br.key_error_rate = counts.key.effective > 0 ? T(counts.key.errors) / m_key : T(0.0);
    br.ec_leakage = counts.key.ec_leakage_bits ? T(*counts.key.ec_leakage_bits)
                                               : T(options.ec_efficiency) * m_key * binary_entropy(br.key_error_rate);
    br.disclosure_bits = T(0.0);
    br.estimates = estimates;
    const T privacy = counts.key.effective > 0 ? detail::secrecy_bits(m_key, br) : T(0.0);
    out.length = privacy - br.ec_leakage;
    // 8.6: every bound counts for the phase-error rate; the key M is counted, not bounded.
    detail::apply_finite_size_terms(out.length, br, security, finite, estimates, 0);
    return out;
}

}  // namespace

unsigned cal19_photon_cutoff(double largest_intensity) {
    // The smallest K in [4, 24] whose Poisson tail P(n > K) at the largest intensity is below 1e-15:
    // beyond it the rows lose nothing a count could resolve.
    double term = std::exp(-largest_intensity);
    double head = term;
    unsigned k = 0;
    while (k < 24 && (k < 4 || 1 - head > 1e-15)) {
        ++k;
        term *= largest_intensity / k;
        head += term;
    }
    return k;
}

Result<KeyLength> cal19_key_length(const ProtocolParameters& protocol, const SecurityParameters& security,
                                   const CountStatistics& counts, const Cal19Options& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    auto e = evaluate<Interval>(protocol, security, counts, options, *inputs);
    if (!e) return e.error();
    auto certified = certify_length(e->length, e->breakdown, security, protocol.pulses, options.analysis, "8.6");
    if (!certified) return certified.error();
    KeyLength& out = *certified;
    if (out.bits == 0) {
        const SnsBreakdown& br = out.breakdown;
        if (!(counts.key.effective > 0))
            out.zero_reason = "no key detections (key.effective is 0)";
        else if (hi(br.phase_error_rate_upper) >= 0.5)
            out.zero_reason = "the phase-error bound reaches 1/2: the decoy yields allow no secrecy";
        else
            out.zero_reason = "error correction and the finite-size terms exceed the secrecy of the key";
    }
    return certified;
}

Result<double> cal19_key_length_estimate(const ProtocolParameters& protocol, const SecurityParameters& security,
                                         const CountStatistics& counts, const Cal19Options& options) {
    const auto inputs = check_inputs(protocol, security, counts);
    if (!inputs) return inputs.error();
    auto e = evaluate<double>(protocol, security, counts, options, *inputs);
    if (!e) return e.error();
    return e->length;
}

}  // namespace tfqkd::security
