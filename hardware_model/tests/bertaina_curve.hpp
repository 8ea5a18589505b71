// The published model curves of security/tests/data/bertaina2024_asymptotic_curves.csv (provenance
// in security/tests/data/README.md), read for the tests that compare against them.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace tfqkd::hardware_model::testing {

// The notebook's columns used by the tests.
enum class BertainaColumn : std::size_t { sns_aopp = 3, cal19 = 5 };

// Distance (km) -> the notebook's rate per pulse at sigma_phi = 0. The file is found through
// TFQKD_SECURITY_DATA (set by Meson), else relative to the source root.
inline std::map<double, double> bertaina_curve(BertainaColumn column) {
    const auto index = static_cast<std::size_t>(column);
    const char* dir = std::getenv("TFQKD_SECURITY_DATA");
    const std::string path =
        std::string(dir != nullptr ? dir : "security/tests/data") + "/bertaina2024_asymptotic_curves.csv";
    std::ifstream in(path);
    EXPECT_TRUE(in) << "cannot open " << path;
    std::map<double, double> curve;
    std::string line;
    std::getline(in, line);  // header: distance_km,loss_db,sigma_phi_rad,nb_sns_aopp,lab_sns_aopp,nb_cal,...
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF line ends
        std::vector<std::string> cells;
        std::stringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        if (cells.size() <= index || std::stod(cells[2]) != 0.0) continue;
        curve[std::stod(cells[0])] = std::stod(cells[index]);
    }
    return curve;
}

}  // namespace tfqkd::hardware_model::testing
