// Certified linear-program maxima: docs/security.md 8.4. GLPK (Debian's libglpk) finds the
// approximate optimum; the bound is the weak-duality certificate of linear_program.hpp, evaluated in
// the number type of the program.
#include "security/linear_program.hpp"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

namespace tfqkd::security {
namespace {

double approximate(double x) { return x; }
double approximate(const Interval& x) { return mid(x); }
double upper_end(double x) { return x; }
double upper_end(const Interval& x) { return hi(x); }
double lower_end(double x) { return x; }
double lower_end(const Interval& x) { return lo(x); }

struct ProblemDeleter {
    void operator()(glp_prob* p) const noexcept { glp_delete_prob(p); }
};
using Problem = std::unique_ptr<glp_prob, ProblemDeleter>;

// GLPK indexes rows, columns and the sparse triplets from 1.
int glpk_index(std::size_t i) { return static_cast<int>(i + 1); }

}  // namespace

template <class T>
Result<std::vector<T>> certified_maxima(const BoxedLinearProgram<T>& lp, const std::vector<std::size_t>& targets,
                                        std::string_view what) {
    const std::size_t rows = lp.rows();
    const std::size_t cols = lp.columns;
    if (lp.row_lower.size() != rows || lp.coefficients.size() != rows * cols || lp.column_upper.size() != cols || rows == 0)
        return make_error(Errc::invalid_argument, "linear program", what, "malformed program (sizes disagree)");
    for (const std::size_t t : targets)
        if (t >= cols) return make_error(Errc::invalid_argument, "linear program", what, "target column out of range");

    Problem problem(glp_create_prob());
    glp_prob* p = problem.get();
    glp_set_obj_dir(p, GLP_MAX);
    glp_add_rows(p, static_cast<int>(rows));
    glp_add_cols(p, static_cast<int>(cols));
    // GLPK's messages go nowhere (its environment is per thread, so is this setting).
    glp_term_out(GLP_OFF);
    // The approximate program only guides the choice of duals; the certificate below uses the exact
    // data. Its rows are widened by a relative 1e-9 (never narrowed), so that nearly-equal bounds
    // (asymptotic rows are equalities up to the Poisson tail) neither trip GLPK's assertion that a
    // double bound has l < u nor turn rounding noise into infeasibility.
    for (std::size_t i = 0; i < rows; ++i) {
        const double upper = upper_end(lp.row_upper[i]);
        const double lower = std::min(lower_end(lp.row_lower[i]), upper - 1e-9 * std::abs(upper) - 1e-300);
        if (!std::isfinite(lower) || !std::isfinite(upper))
            return make_error(Errc::invalid_argument, "linear program", what, "a row bound is not finite");
        glp_set_row_bnds(p, glpk_index(i), GLP_DB, lower, upper);
    }
    for (std::size_t j = 0; j < cols; ++j) {
        if (!(lp.column_upper[j] >= 0))
            return make_error(Errc::invalid_argument, "linear program", what, "a column bound is negative or NaN");
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
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;

    std::vector<T> out;
    out.reserve(targets.size());
    std::vector<double> y(rows);
    for (const std::size_t target : targets) {
        for (std::size_t j = 0; j < cols; ++j) glp_set_obj_coef(p, glpk_index(j), j == target ? 1.0 : 0.0);
        // Warm start: the basis of the previous target is kept.
        if (glp_simplex(p, &parm) != 0 || glp_get_status(p) != GLP_OPT) {
            // Retry once from a fresh basis; GLPK occasionally stalls on a warm start.
            glp_std_basis(p);
            if (glp_simplex(p, &parm) != 0)
                return make_error(Errc::invalid_argument, "linear program", what, "GLPK's simplex failed");
        }
        const int status = glp_get_status(p);
        if (status == GLP_NOFEAS || status == GLP_INFEAS)
            return make_error(Errc::inconsistent, "counts", what,
                              "the test-class rates are consistent with no set of photon-number yields (the "
                              "linear program of docs/security.md 8.4 is infeasible); with the asymptotic analysis "
                              "sampling noise can do this: certify observed counts with the finite-key analysis");
        if (status != GLP_OPT)
            return make_error(Errc::invalid_argument, "linear program", what,
                              "GLPK found no optimum (status " + std::to_string(status) + ")");
        for (std::size_t i = 0; i < rows; ++i) y[i] = glp_get_row_dual(p, glpk_index(i));
        // The certificate: any y gives a valid bound; GLPK's makes it tight.
        T bound = T(0.0);
        for (std::size_t i = 0; i < rows; ++i) {
            if (y[i] > 0) bound = bound + T(y[i]) * lp.row_upper[i];
            else if (y[i] < 0) bound = bound + T(y[i]) * lp.row_lower[i];
        }
        for (std::size_t j = 0; j < cols; ++j) {
            T reduced = T(j == target ? 1.0 : 0.0);
            for (std::size_t i = 0; i < rows; ++i)
                if (y[i] != 0) reduced = reduced - T(y[i]) * lp.coefficients[i * cols + j];
            const double positive_part = upper_end(reduced);
            if (positive_part > 0) bound = bound + T(positive_part) * T(lp.column_upper[j]);
        }
        // The trivial bound x_target <= column_upper may be tighter when the duals are poor.
        const double box = lp.column_upper[target];
        if (upper_end(bound) > box) bound = T(box);
        out.push_back(bound);
    }
    return out;
}

template Result<std::vector<double>> certified_maxima(const BoxedLinearProgram<double>&, const std::vector<std::size_t>&,
                                                      std::string_view);
template Result<std::vector<Interval>> certified_maxima(const BoxedLinearProgram<Interval>&,
                                                        const std::vector<std::size_t>&, std::string_view);

}  // namespace tfqkd::security
