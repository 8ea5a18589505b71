// Certified upper bounds on the maximum of a linear program (docs/security.md 8.4).
//
// The programs are small (tens of rows, about a hundred columns): maximise x_target subject to
// row_lower_i <= (A x)_i <= row_upper_i and 0 <= x_j <= column_upper_j. GLPK's simplex finds an
// approximate optimum in double precision; its row duals y then give a bound that holds whatever
// their accuracy (weak duality, evaluated in intervals):
//
//   x_target <= sum_i (y_i >= 0 ? y_i row_upper_i : y_i row_lower_i) + sum_j max(0, r_j) column_upper_j,
//   r = e_target - A^T y,
//
// since sum_i y_i (A x)_i is at most the first sum for every feasible x, and x_target =
// sum_i y_i (A x)_i + sum_j r_j x_j. A poor dual only loosens the bound, never breaks it.
#pragma once

#include <cstddef>
#include <vector>

#include "base/result.hpp"
#include "security/interval.hpp"

namespace tfqkd::security {

// The data of the programs, of number type T: Interval (the coefficients and bounds enclose the
// exact values; the certificate is evaluated in intervals) or double (the parameter search).
template <class T>
struct BoxedLinearProgram {
    std::size_t columns = 0;
    std::vector<T> coefficients;  // rows x columns, row-major
    std::vector<T> row_lower;     // may be negative (a vacuous lower bound)
    std::vector<T> row_upper;
    std::vector<double> column_upper;  // each > 0
    std::size_t rows() const noexcept { return row_upper.size(); }
};

// A program set up once in GLPK and maximised for several objectives, each solve warm-started from
// the previous basis. Not copyable (it owns the GLPK problem); movable.
template <class T>
class CertifiedLinearProgram {
public:
    // Checks the sizes and bounds (finite; column bounds >= 0) and loads the program. `what` (a
    // string literal) is the field that errors name.
    static Result<CertifiedLinearProgram> create(BoxedLinearProgram<T> program, std::string_view what);

    struct Maximum {
        T bound;                       // hi(bound) >= c.x for every feasible x (the certificate)
        std::vector<double> solution;  // GLPK's approximate maximiser (feasible up to its tolerances)
    };
    // Maximises objective . x. An infeasible program (which honest data never give, but corrupted
    // data may) is an error naming `what`.
    Result<Maximum> maximise(const std::vector<T>& objective);

    const BoxedLinearProgram<T>& program() const noexcept { return program_; }

    CertifiedLinearProgram(CertifiedLinearProgram&&) noexcept;
    CertifiedLinearProgram& operator=(CertifiedLinearProgram&&) noexcept;
    ~CertifiedLinearProgram();

private:
    CertifiedLinearProgram() = default;
    BoxedLinearProgram<T> program_;
    std::string_view what_;
    void* glpk_ = nullptr;  // glp_prob*, kept opaque so that glpk.h stays out of the public headers
};

// For each target column, an upper bound on its maximum over the feasible set (its hi() is the
// certified bound).
template <class T>
Result<std::vector<T>> certified_maxima(const BoxedLinearProgram<T>& program, const std::vector<std::size_t>& targets,
                                        std::string_view what);

}  // namespace tfqkd::security
