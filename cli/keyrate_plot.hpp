// The SVG pictures of the command: the plot of `tfqkd keyrate --plot` (key rate per pulse on a log
// scale against distance or total loss, the protocol's curve and the PLOB line), and the two
// pictures of `tfqkd network` (key rate per pair against PLOB as bars; the network as a star).
// Hand-written SVG 1.1, self-contained (no scripts, no external fonts or styles), so that any
// browser or rsvg renders it the same way. One file, so that the pictures share axes and colours;
// text is escaped by base/markup.hpp, like the conformance report's.
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

// One bar of the per-pair chart: the certified rate (0: no key, drawn as a mark on the axis) and the
// PLOB bound of the pair's channel, drawn across the bar.
struct Bar {
    std::string label;   // under the bar ("A1-B1")
    std::string caption; // above the bar ("+131 %")
    double rate = 0;
    double plob = 0;
};

struct BarData {
    std::string title;
    std::string subtitle;
    std::string bar_label;   // legend entry of the bars
    std::string plob_label;  // legend entry of the PLOB marks
    std::vector<Bar> bars;
    std::vector<std::string> notes;
};

std::string render_bars_svg(const BarData& data);

// The network as a star: the relay server in the centre, each client on a ray whose colour is its
// pair's WDM channel, the two clients of a pair side by side.
struct StarClient {
    std::string name;
    std::string fibre;      // label on the ray ("185 km")
    std::size_t channel_index = 0;  // index into StarData::channels (colour); a client in no pair: none
    bool paired = false;
    bool long_downstream = false;  // drawn with a second, dashed ray: a comb line over a long fibre
};

struct StarData {
    std::string title;
    std::string subtitle;
    std::string centre;                 // the server's label
    std::vector<std::string> channels;  // legend: one entry per channel ("ch 1  1548.58 nm  A1-B1")
    std::vector<StarClient> clients;    // in drawing order around the circle
    std::vector<std::string> notes;
};

std::string render_star_svg(const StarData& data);

}  // namespace tfqkd::cli::keyrate
