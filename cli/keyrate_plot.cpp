// The SVG plot of `tfqkd keyrate --plot` (docs/keyrate.md, "Plot").
#include "keyrate_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace tfqkd::cli::keyrate {
namespace {

constexpr double kWidth = 900;
constexpr double kLeft = 100;    // room for the decade labels and the y title
constexpr double kRight = 30;
constexpr double kTop = 80;      // title and subtitle (and the description: kDescription more)
constexpr double kDescription = 20;
constexpr double kPlotHeight = 440;
constexpr double kBelow = 62;    // x labels and x title
constexpr double kNoteLine = 17;
constexpr const char* kRateColour = "#1f5fbf";
constexpr const char* kPlobColour = "#c0392b";
// Compared curves, in order; distinguishable in print and for the common colour-vision deficiencies
// (a subset of the Okabe-Ito palette), and none close to the PLOB red.
constexpr const char* kComparedColours[] = {"#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#000000"};
constexpr std::size_t kComparedColourCount = sizeof kComparedColours / sizeof kComparedColours[0];

std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

std::string fixed(double v, int decimals = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string tick_text(double v) {
    if (std::abs(v) < 1e-9) v = 0;  // not "-0" from the tick arithmetic
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// A step of 1, 2, 2.5 or 5 times a power of ten giving about `count` intervals.
double nice_step(double span, double count) {
    const double raw = span / count;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * magnitude >= raw) return m * magnitude;
    return 10 * magnitude;
}

bool drawable(double v) { return std::isfinite(v) && v > 0; }

}  // namespace

std::string render_svg(const PlotData& d) {
    const double top = kTop + (d.description.empty() ? 0 : kDescription);
    const double height = top + kPlotHeight + kBelow + kNoteLine * static_cast<double>(d.notes.size()) + 12;
    const double px0 = kLeft, px1 = kWidth - kRight, py0 = top, py1 = top + kPlotHeight;
    const double x_min = d.x_min;
    const double x_max = d.x_max > d.x_min ? d.x_max : d.x_min + 1;

    // Decades spanned by everything drawn.
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
    const auto include = [&](const std::vector<std::pair<double, double>>& series) {
        for (const auto& [x, v] : series) {
            if (!drawable(v) || x < x_min || x > x_max) continue;
            lowest = std::min(lowest, std::log10(v));
            highest = std::max(highest, std::log10(v));
        }
    };
    include(d.rate);
    include(d.plob);
    for (const auto& c : d.compared) include(c.rate);
    int lo_dec = std::isfinite(lowest) ? static_cast<int>(std::floor(lowest)) : -10;
    int hi_dec = std::isfinite(highest) ? static_cast<int>(std::ceil(highest)) : 0;
    if (hi_dec <= lo_dec) {
        --lo_dec;
        ++hi_dec;
    }
    const int decades = hi_dec - lo_dec;
    const int label_every = decades <= 12 ? 1 : (decades + 11) / 12;

    const auto X = [&](double x) { return px0 + (x - x_min) / (x_max - x_min) * (px1 - px0); };
    const auto Y = [&](double v) { return py1 - (std::log10(v) - lo_dec) / decades * (py1 - py0); };

    std::ostringstream s;
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << kWidth << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << kWidth << ' ' << height << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      << "<title>" << escape(d.title) << "</title>\n"
      << "<defs><clipPath id=\"plot-area\"><rect x=\"" << px0 << "\" y=\"" << py0 << "\" width=\"" << px1 - px0
      << "\" height=\"" << py1 - py0 << "\"/></clipPath></defs>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kWidth / 2 << "\" y=\"30\" text-anchor=\"middle\" font-size=\"19\" font-weight=\"bold\">"
      << escape(d.title) << "</text>\n"
      << "<text x=\"" << kWidth / 2 << "\" y=\"" << top - 26 << "\" text-anchor=\"middle\" font-size=\"13\" fill=\"#333\">"
      << escape(d.subtitle) << "</text>\n";
    if (!d.description.empty())
        s << "<text x=\"" << kWidth / 2 << "\" y=\"54\" text-anchor=\"middle\" font-size=\"14\" font-style=\"italic\">"
          << escape(d.description) << "</text>\n";

    // Grid and y axis: a line and a label per decade.
    s << "<g id=\"y-axis\" font-size=\"13\">\n";
    for (int k = lo_dec; k <= hi_dec; ++k) {
        const double y = py1 - static_cast<double>(k - lo_dec) / decades * (py1 - py0);
        s << "<line x1=\"" << px0 << "\" y1=\"" << fixed(y) << "\" x2=\"" << px1 << "\" y2=\"" << fixed(y)
          << "\" stroke=\"#e2e2e2\" stroke-width=\"1\"/>\n";
        if ((k - lo_dec) % label_every != 0) continue;
        s << "<line x1=\"" << px0 - 6 << "\" y1=\"" << fixed(y) << "\" x2=\"" << px0 << "\" y2=\"" << fixed(y)
          << "\" stroke=\"black\"/>\n"
          << "<text x=\"" << px0 - 10 << "\" y=\"" << fixed(y + 5) << "\" text-anchor=\"end\">10<tspan dy=\"-7\" font-size=\"10\">"
          << (k < 0 ? "\u2212" : "") << std::abs(k) << "</tspan></text>\n";
    }
    // Minor ticks (2..9 times each decade) when the decades are few enough to show them.
    if (decades <= 16)
        for (int k = lo_dec; k < hi_dec; ++k)
            for (int m = 2; m <= 9; ++m) {
                const double y = Y(m * std::pow(10.0, k));
                s << "<line x1=\"" << px0 - 3 << "\" y1=\"" << fixed(y) << "\" x2=\"" << px0 << "\" y2=\"" << fixed(y)
                  << "\" stroke=\"black\" stroke-width=\"0.6\"/>\n";
            }
    s << "<text transform=\"translate(28 " << fixed((py0 + py1) / 2)
      << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">key rate (bits per pulse, log scale)</text>\n</g>\n";

    // x axis.
    const double step = nice_step(x_max - x_min, 8);
    s << "<g id=\"x-axis\" font-size=\"13\">\n";
    for (double t = std::ceil(x_min / step - 1e-9) * step; t <= x_max + step * 1e-9; t += step) {
        const double x = X(t);
        s << "<line x1=\"" << fixed(x) << "\" y1=\"" << py0 << "\" x2=\"" << fixed(x) << "\" y2=\"" << py1
          << "\" stroke=\"#f0f0f0\"/>\n"
          << "<line x1=\"" << fixed(x) << "\" y1=\"" << py1 << "\" x2=\"" << fixed(x) << "\" y2=\"" << py1 + 6
          << "\" stroke=\"black\"/>\n"
          << "<text x=\"" << fixed(x) << "\" y=\"" << py1 + 22 << "\" text-anchor=\"middle\">" << tick_text(t) << "</text>\n";
    }
    s << "<text x=\"" << fixed((px0 + px1) / 2) << "\" y=\"" << py1 + 48 << "\" text-anchor=\"middle\" font-size=\"14\">"
      << escape(d.x_label) << "</text>\n</g>\n";
    s << "<rect x=\"" << px0 << "\" y=\"" << py0 << "\" width=\"" << px1 - px0 << "\" height=\"" << py1 - py0
      << "\" fill=\"none\" stroke=\"black\"/>\n";

    // A series as a path, broken where it cannot be drawn.
    const auto path = [&](const std::vector<std::pair<double, double>>& series) {
        std::string p;
        bool pen_down = false;
        for (const auto& [x, v] : series) {
            if (!drawable(v) || x < x_min || x > x_max) {
                pen_down = false;
                continue;
            }
            p += (pen_down ? " L" : (p.empty() ? "M" : " M")) + fixed(X(x), 2) + ' ' + fixed(Y(v), 2);
            pen_down = true;
        }
        return p;
    };
    s << "<g clip-path=\"url(#plot-area)\">\n";
    if (const std::string p = path(d.plob); !p.empty())
        s << "<path id=\"curve-plob\" d=\"" << p << "\" fill=\"none\" stroke=\"" << kPlobColour
          << "\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>\n";
    if (const std::string p = path(d.rate); !p.empty())
        s << "<path id=\"curve-rate\" d=\"" << p << "\" fill=\"none\" stroke=\"" << kRateColour
          << "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n";
    for (std::size_t i = 0; i < d.compared.size(); ++i)
        if (const std::string p = path(d.compared[i].rate); !p.empty())
            s << "<path id=\"curve-compare-" << i + 1 << "\" d=\"" << p << "\" fill=\"none\" stroke=\""
              << kComparedColours[i % kComparedColourCount] << "\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>\n";
    const double radius = d.rate.size() == 1 ? 5.5 : (d.rate.size() > 150 ? 0 : 3);
    for (std::size_t i = 0; i < d.rate.size(); ++i) {
        const auto& [x, v] = d.rate[i];
        if (!drawable(v) || x < x_min || x > x_max) continue;
        if (radius > 0)
            s << "<circle cx=\"" << fixed(X(x), 2) << "\" cy=\"" << fixed(Y(v), 2) << "\" r=\"" << radius
              << "\" fill=\"" << kRateColour << "\"/>\n";
        if (d.label_points && i < d.point_labels.size()) {
            const bool right_half = X(x) > (px0 + px1) / 2;
            s << "<text x=\"" << fixed(X(x) + (right_half ? -10 : 10), 2) << "\" y=\"" << fixed(Y(v) - 10, 2)
              << "\" text-anchor=\"" << (right_half ? "end" : "start") << "\" font-size=\"13\" fill=\"" << kRateColour
              << "\">" << escape(d.point_labels[i]) << "</text>\n";
        }
    }
    for (const auto& [x, label] : d.markers) {
        if (x < x_min || x > x_max) continue;
        const bool right_half = X(x) > (px0 + px1) / 2;
        s << "<line x1=\"" << fixed(X(x), 2) << "\" y1=\"" << py0 << "\" x2=\"" << fixed(X(x), 2) << "\" y2=\"" << py1
          << "\" stroke=\"" << kRateColour << "\" stroke-width=\"1.5\" stroke-dasharray=\"3 4\"/>\n"
          << "<text x=\"" << fixed(X(x) + (right_half ? -8 : 8), 2) << "\" y=\"" << py1 - 12 << "\" text-anchor=\""
          << (right_half ? "end" : "start") << "\" font-size=\"13\" fill=\"" << kRateColour << "\">" << escape(label)
          << "</text>\n";
    }
    s << "</g>\n";

    // Legend, top right inside the plot (rates fall with distance, so that corner is free).
    const double lx = px1 - 400, ly = py0 + 12;
    const double compared_height = 21.0 * static_cast<double>(d.compared.size());
    s << "<g id=\"legend\" font-size=\"13\">\n"
      << "<rect x=\"" << lx << "\" y=\"" << ly << "\" width=\"388\" height=\"" << 54 + compared_height
      << "\" fill=\"white\" fill-opacity=\"0.92\" stroke=\"#999\"/>\n"
      << "<line x1=\"" << lx + 12 << "\" y1=\"" << ly + 18 << "\" x2=\"" << lx + 48 << "\" y2=\"" << ly + 18
      << "\" stroke=\"" << kRateColour << "\" stroke-width=\"2.5\"/>\n"
      << "<circle cx=\"" << lx + 30 << "\" cy=\"" << ly + 18 << "\" r=\"3\" fill=\"" << kRateColour << "\"/>\n"
      << "<text x=\"" << lx + 58 << "\" y=\"" << ly + 22 << "\">" << escape(d.curve_label) << "</text>\n"
      << "<line x1=\"" << lx + 12 << "\" y1=\"" << ly + 39 << "\" x2=\"" << lx + 48 << "\" y2=\"" << ly + 39
      << "\" stroke=\"" << kPlobColour << "\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>\n"
      << "<text x=\"" << lx + 58 << "\" y=\"" << ly + 43 << "\">" << escape(d.plob_label) << "</text>\n";
    for (std::size_t i = 0; i < d.compared.size(); ++i) {
        const double y = ly + 60 + 21.0 * static_cast<double>(i);
        s << "<line x1=\"" << lx + 12 << "\" y1=\"" << fixed(y) << "\" x2=\"" << lx + 48 << "\" y2=\"" << fixed(y)
          << "\" stroke=\"" << kComparedColours[i % kComparedColourCount] << "\" stroke-width=\"2.5\"/>\n"
          << "<text x=\"" << lx + 58 << "\" y=\"" << fixed(y + 4) << "\">" << escape(d.compared[i].label) << "</text>\n";
    }
    s << "</g>\n";

    // Notes under the x title.
    s << "<g id=\"notes\" font-size=\"12\" fill=\"#444\">\n";
    for (std::size_t i = 0; i < d.notes.size(); ++i)
        s << "<text x=\"" << px0 << "\" y=\"" << fixed(py1 + kBelow + 8 + kNoteLine * static_cast<double>(i)) << "\">"
          << escape(d.notes[i]) << "</text>\n";
    s << "</g>\n</svg>\n";
    return s.str();
}

}  // namespace tfqkd::cli::keyrate
