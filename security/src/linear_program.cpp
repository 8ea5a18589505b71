// Certified linear-program maxima: docs/security.md 8.4. GLPK (Debian's libglpk) finds the
// approximate optimum; the bound is the weak-duality certificate of linear_program.hpp, evaluated in
// the number type of the program.
#include "security/linear_program.hpp"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

namespace tfqkd::security {
namespace {

double approximate(double x) { return x; }
double approximate(const Interval& x) { return mid(x); }
double upper_end(double x) { return x; }
double upper_end(const Interval& x) { return hi(x); }
double lower_end(double x) { return x; }
double lower_end(const Interval& x) { return lo(x); }

glp_prob* as_glpk(void* p) { return static_cast<glp_prob*>(p); }

// GLPK indexes rows, columns and the sparse triplets from 1.
int glpk_index(std::size_t i) { return static_cast<int>(i + 1); }

}  // namespace

template <class T>
Result<CertifiedLinearProgram<T>> CertifiedLinearProgram<T>::create(BoxedLinearProgram<T> lp, std::string_view what) {
    const std::size_t rows = lp.rows();
    const std::size_t cols = lp.columns;
    if (lp.row_lower.size() != rows || lp.coefficients.size() != rows * cols || lp.column_upper.size() != cols ||
        rows == 0 || cols == 0)
        return make_error(Errc::invalid_argument, "linear program", what, "malformed program (sizes disagree)");
    for (const double u : lp.column_upper)
        if (!(u >= 0) || !std::isfinite(u))
            return make_error(Errc::invalid_argument, "linear program", what, "a column bound is negative or not finite");
    for (std::size_t i = 0; i < rows; ++i)
        if (!std::isfinite(lower_end(lp.row_lower[i])) || !std::isfinite(upper_end(lp.row_upper[i])))
            return make_error(Errc::invalid_argument, "linear program", what, "a row bound is not finite");

    CertifiedLinearProgram out;
    out.what_ = what;
    // GLPK's messages go nowhere (its environment is per thread, and so is this setting).
    glp_term_out(GLP_OFF);
    glp_prob* p = glp_create_prob();
    out.glpk_ = p;
    glp_set_obj_dir(p, GLP_MAX);
    glp_add_rows(p, static_cast<int>(rows));
    glp_add_cols(p, static_cast<int>(cols));
    // The approximate program only guides the choice of duals; the certificate uses the exact data.
    // Its rows are widened by a relative 1e-9 (never narrowed), so that nearly equal bounds
    // (asymptotic rows are equalities up to the Poisson tail) neither trip GLPK's assertion that a
    // double bound has l < u nor turn rounding noise into infeasibility.
    for (std::size_t i = 0; i < rows; ++i) {
        const double upper = upper_end(lp.row_upper[i]);
        const double lower = std::min(lower_end(lp.row_lower[i]), upper - 1e-9 * std::abs(upper) - 1e-300);
        glp_set_row_bnds(p, glpk_index(i), GLP_DB, lower, upper);
    }
    for (std::size_t j = 0; j < cols; ++j) {
        // Bounds below 1e-250 are 0 to the simplex (scaling could otherwise make l = u).
        if (lp.column_upper[j] < 1e-250) glp_set_col_bnds(p, glpk_index(j), GLP_FX, 0.0, 0.0);
        else glp_set_col_bnds(p, glpk_index(j), GLP_DB, 0.0, lp.column_upper[j]);
    }
    std::vector<int> ia{0}, ja{0};
    std::vector<double> ar{0.0};
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            const double a = approximate(lp.coefficients[i * cols + j]);
            // Weights below 1e-30 (high photon numbers at low intensity) are noise to the simplex;
            // the certificate still counts them exactly.
            if (!(std::abs(a) >= 1e-30)) continue;
            ia.push_back(glpk_index(i));
            ja.push_back(glpk_index(j));
            ar.push_back(a);
        }
    glp_load_matrix(p, static_cast<int>(ar.size() - 1), ia.data(), ja.data(), ar.data());
    // Rows hold rates from 1e-10 to 1: equilibration scaling keeps the simplex's tolerances meaningful.
    glp_scale_prob(p, GLP_SF_AUTO);
    out.program_ = std::move(lp);
    return out;
}

template <class T>
auto CertifiedLinearProgram<T>::maximise(const std::vector<T>& objective) -> Result<Maximum> {
    const BoxedLinearProgram<T>& lp = program_;
    const std::size_t rows = lp.rows();
    const std::size_t cols = lp.columns;
    if (objective.size() != cols)
        return make_error(Errc::invalid_argument, "linear program", what_, "objective of the wrong size");
    glp_prob* p = as_glpk(glpk_);
    // The simplex sees the objective scaled to a largest coefficient of 1 (gradients of the
    // phase-error function span many decades); its duals are scaled back for the certificate.
    double scale = 0;
    for (const T& c : objective) scale = std::max(scale, std::abs(approximate(c)));
    if (!(scale > 0) || !std::isfinite(scale)) scale = 1;
    for (std::size_t j = 0; j < cols; ++j) glp_set_obj_coef(p, glpk_index(j), approximate(objective[j]) / scale);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    // Bounded work (iteration limits, not time limits, so results reproduce): these programs are
    // degenerate, and the warm-started primal simplex was seen to cycle (20000 iterations without
    // progress) where the dual simplex from a fresh basis finishes in under 100. So the warm start
    // gets 200 iterations, then the dual simplex takes over. Any duals give a valid bound: a solve
    // cut short costs tightness, never soundness.
    parm.it_lim = 200;
    if (glp_simplex(p, &parm) != 0 || glp_get_status(p) != GLP_OPT) {
        glp_std_basis(p);
        parm.meth = GLP_DUALP;
        parm.it_lim = 20000;
        (void)glp_simplex(p, &parm);
    }
    const int status = glp_get_status(p);
    if (status == GLP_NOFEAS)
        return make_error(Errc::inconsistent, "counts", what_,
                          "the test-class rates are consistent with no set of photon-number yields (the linear "
                          "program of docs/security.md 8.4 is infeasible): with the finite-key analysis this is "
                          "an estimation failure (abort); with the asymptotic one, sampling noise in observed "
                          "counts can cause it (certify observed counts with the finite-key analysis)");
    Maximum out;
    out.solution.resize(cols);
    for (std::size_t j = 0; j < cols; ++j) out.solution[j] = glp_get_col_prim(p, glpk_index(j));
    // The certificate: c.x = sum_i y_i (A x)_i + sum_j r_j x_j with r = c - A^T y, for any y; each
    // term is bounded by the row and column bounds. GLPK's duals make it tight.
    std::vector<double> y(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        y[i] = glp_get_row_dual(p, glpk_index(i)) * scale;
        if (!std::isfinite(y[i])) y[i] = 0;
    }
    T bound = T(0.0);
    for (std::size_t i = 0; i < rows; ++i) {
        if (y[i] > 0) bound = bound + T(y[i]) * lp.row_upper[i];
        else if (y[i] < 0) bound = bound + T(y[i]) * lp.row_lower[i];
    }
    for (std::size_t j = 0; j < cols; ++j) {
        T reduced = objective[j];
        for (std::size_t i = 0; i < rows; ++i)
            if (y[i] != 0) reduced = reduced - T(y[i]) * lp.coefficients[i * cols + j];
        const double positive_part = upper_end(reduced);
        if (positive_part > 0) bound = bound + T(positive_part) * T(lp.column_upper[j]);
    }
    out.bound = bound;
    return out;
}

template <class T>
CertifiedLinearProgram<T>::CertifiedLinearProgram(CertifiedLinearProgram&& other) noexcept
    : program_(std::move(other.program_)), what_(other.what_), glpk_(std::exchange(other.glpk_, nullptr)) {}

template <class T>
CertifiedLinearProgram<T>& CertifiedLinearProgram<T>::operator=(CertifiedLinearProgram&& other) noexcept {
    if (this != &other) {
        if (glpk_ != nullptr) glp_delete_prob(as_glpk(glpk_));
        program_ = std::move(other.program_);
        what_ = other.what_;
        glpk_ = std::exchange(other.glpk_, nullptr);
    }
    return *this;
}

template <class T>
CertifiedLinearProgram<T>::~CertifiedLinearProgram() {
    if (glpk_ != nullptr) glp_delete_prob(as_glpk(glpk_));
}

template <class T>
Result<std::vector<T>> certified_maxima(const BoxedLinearProgram<T>& program, const std::vector<std::size_t>& targets,
                                        std::string_view what) {
    for (const std::size_t t : targets)
        if (t >= program.columns)
            return make_error(Errc::invalid_argument, "linear program", what, "target column out of range");
    auto lp = CertifiedLinearProgram<T>::create(program, what);
    if (!lp) return lp.error();
    std::vector<T> out;
    std::vector<T> objective(program.columns, T(0.0));
    for (const std::size_t t : targets) {
        objective[t] = T(1.0);
        auto m = lp->maximise(objective);
        if (!m) return m.error();
        objective[t] = T(0.0);
        // The trivial bound x_t <= column_upper may be tighter when the duals are poor.
        const double box = program.column_upper[t];
        out.push_back(upper_end(m->bound) > box ? T(box) : m->bound);
    }
    return out;
}

template class CertifiedLinearProgram<double>;
template class CertifiedLinearProgram<Interval>;
template Result<std::vector<double>> certified_maxima(const BoxedLinearProgram<double>&, const std::vector<std::size_t>&,
                                                      std::string_view);
template Result<std::vector<Interval>> certified_maxima(const BoxedLinearProgram<Interval>&,
                                                        const std::vector<std::size_t>&, std::string_view);

}  // namespace tfqkd::security
