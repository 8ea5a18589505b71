// Fundamental bounds against independent values: the PLOB column of the Bertaina et al. (2024)
// notebook (security/tests/data/README.md), computed there as -log2(1 - 0.9 * 10^(-loss/10)).
#include "security/bounds.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tfqkd::security {
namespace {

std::string data_path() {
    const char* dir = std::getenv("TFQKD_SECURITY_DATA");
    return std::string(dir != nullptr ? dir : "security/tests/data") + "/bertaina2024_asymptotic_curves.csv";
}

TEST(Bounds, PlobMatchesTheBertainaNotebookWithTheDetectorInside) {
    std::ifstream in(data_path());
    ASSERT_TRUE(in) << "cannot open " << data_path();
    std::string line;
    std::getline(in, line);  // header
    int compared = 0;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // the file has CRLF line ends
        std::vector<std::string> cells;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        ASSERT_EQ(cells.size(), 8U) << line;
        if (cells[7] == "nan") continue;
        const double km = std::stod(cells[0]);
        const double expected = std::stod(cells[7]);
        const Interval plob = plob_bound(fibre_transmittance(km, 0.2, 0.9));
        // The notebook evaluates -log2(1 - x) in double precision, which loses about 1e-16 / x
        // relative to cancellation in 1 - x; the tolerance follows that (and is 1e-12 at short range).
        const double x = 0.9 * std::pow(10.0, -0.02 * km);
        EXPECT_NEAR(mid(plob) / expected, 1.0, 1e-12 + 1e-15 / x) << km << " km";
        EXPECT_LT(width(plob) / expected, 1e-40);
        ++compared;
    }
    EXPECT_GT(compared, 100);
}

TEST(Bounds, TgwIsAboveTwicePlobAtLongDistanceAndBothScaleWithEta) {
    for (double km : {100.0, 300.0, 500.0}) {
        const Interval eta = fibre_transmittance(km, 0.2);
        const double plob = mid(plob_bound(eta));
        const double tgw = mid(tgw_bound(eta));
        EXPECT_NEAR(plob / (mid(eta) / std::log(2.0)), 1.0, 0.02) << "PLOB ~ 1.44 eta";
        EXPECT_NEAR(tgw / plob, 2.0, 0.02) << "TGW ~ 2 PLOB at small eta";
    }
}

}  // namespace
}  // namespace tfqkd::security
