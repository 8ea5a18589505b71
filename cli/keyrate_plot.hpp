// The SVG plot of `tfqkd keyrate --plot`: key rate per pulse on a log scale against distance (or
// total loss), the protocol's curve and the PLOB line. Hand-written SVG 1.1, self-contained (no
// scripts, no external fonts or styles), so that any browser or rsvg renders it the same way.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tfqkd::cli::keyrate {

// Another protocol's (or device set's) key rate on the same axes.
struct PlotCurve {
    std::string label;
    std::vector<std::pair<double, double>> rate;  // as PlotData::rate
};

struct PlotData {
    std::string title;      // first line of the heading: the protocol, the analysis and N
    std::string description;  // the input's description, if any (second line)
    std::string subtitle;   // the other parameters
    std::string x_label;    // "distance (km)" or "total channel loss (dB)"
    std::string curve_label;  // legend entry of the key-rate curve
    std::string plob_label;   // legend entry of the PLOB line
    double x_min = 0;
    double x_max = 100;
    // The key-rate points in order of x; a rate of 0 (no key) is left out of the log curve and
    // breaks it.
    std::vector<std::pair<double, double>> rate;
    // PLOB samples over [x_min, x_max]; non-finite or non-positive values are skipped.
    std::vector<std::pair<double, double>> plob;
    std::vector<std::pair<double, std::string>> markers;  // vertical lines with a label (a zero-key point)
    std::vector<std::string> notes;  // lines printed under the axis (zero-key points, conventions)
    bool label_points = false;       // write the value next to each point (a single point)
    std::vector<std::string> point_labels;  // with label_points: one per rate point
    std::vector<PlotCurve> compared;        // drawn after the main curve, each in its own colour
};

std::string render_svg(const PlotData& data);

}  // namespace tfqkd::cli::keyrate
