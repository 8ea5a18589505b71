// The SVG plot of `tfqkd keyrate --plot` (docs/keyrate.md, "Plot").
#include "keyrate_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "base/markup.hpp"

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

// A log-scale y axis over whole decades, from the smallest and largest log10 of what is drawn.
struct LogAxis {
    int lo_dec = -10;
    int hi_dec = 0;
    double py0 = 0;  // top of the plot area
    double py1 = 0;  // bottom
    int decades() const { return hi_dec - lo_dec; }
    double y(double v) const { return py1 - (std::log10(v) - lo_dec) / decades() * (py1 - py0); }
};

LogAxis log_axis(double lowest, double highest, double py0, double py1) {
    LogAxis a;
    a.lo_dec = std::isfinite(lowest) ? static_cast<int>(std::floor(lowest)) : -10;
    a.hi_dec = std::isfinite(highest) ? static_cast<int>(std::ceil(highest)) : 0;
    if (a.hi_dec <= a.lo_dec) {
        --a.lo_dec;
        ++a.hi_dec;
    }
    a.py0 = py0;
    a.py1 = py1;
    return a;
}

// Grid lines, decade labels, minor ticks and the title of a log axis left of [px0, px1].
void draw_log_axis(std::ostringstream& s, const LogAxis& a, double px0, double px1, std::string_view title) {
    const int decades = a.decades();
    const int label_every = decades <= 12 ? 1 : (decades + 11) / 12;
    s << "<g id=\"y-axis\" font-size=\"13\">\n";
    for (int k = a.lo_dec; k <= a.hi_dec; ++k) {
        const double y = a.py1 - static_cast<double>(k - a.lo_dec) / decades * (a.py1 - a.py0);
        s << "<line x1=\"" << px0 << "\" y1=\"" << fixed(y) << "\" x2=\"" << px1 << "\" y2=\"" << fixed(y)
          << "\" stroke=\"#e2e2e2\" stroke-width=\"1\"/>\n";
        if ((k - a.lo_dec) % label_every != 0) continue;
        s << "<line x1=\"" << px0 - 6 << "\" y1=\"" << fixed(y) << "\" x2=\"" << px0 << "\" y2=\"" << fixed(y)
          << "\" stroke=\"black\"/>\n"
          << "<text x=\"" << px0 - 10 << "\" y=\"" << fixed(y + 5) << "\" text-anchor=\"end\">10<tspan dy=\"-7\" font-size=\"10\">"
          << (k < 0 ? "\u2212" : "") << std::abs(k) << "</tspan></text>\n";
    }
    // Minor ticks (2..9 times each decade) when the decades are few enough to show them.
    if (decades <= 16)
        for (int k = a.lo_dec; k < a.hi_dec; ++k)
            for (int m = 2; m <= 9; ++m) {
                const double y = a.y(m * std::pow(10.0, k));
                s << "<line x1=\"" << px0 - 3 << "\" y1=\"" << fixed(y) << "\" x2=\"" << px0 << "\" y2=\"" << fixed(y)
                  << "\" stroke=\"black\" stroke-width=\"0.6\"/>\n";
            }
    s << "<text transform=\"translate(28 " << fixed((a.py0 + a.py1) / 2) << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"14\">"
      << markup_escape(title) << "</text>\n</g>\n";
}

// The XML declaration, the svg element with its title, and a white background.
void open_svg(std::ostringstream& s, double width, double height, std::string_view title) {
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << ' ' << height << "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
      << "<title>" << markup_escape(title) << "</title>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

// A centred heading: the title in bold and a subtitle under it.
void draw_heading(std::ostringstream& s, double width, std::string_view title, std::string_view subtitle, double subtitle_y) {
    s << "<text x=\"" << width / 2 << "\" y=\"30\" text-anchor=\"middle\" font-size=\"19\" font-weight=\"bold\">" << markup_escape(title)
      << "</text>\n"
      << "<text x=\"" << width / 2 << "\" y=\"" << subtitle_y << "\" text-anchor=\"middle\" font-size=\"13\" fill=\"#333\">"
      << markup_escape(subtitle) << "</text>\n";
}

// Notes, one per line, from (x, y) down.
void draw_notes(std::ostringstream& s, const std::vector<std::string>& notes, double x, double y) {
    s << "<g id=\"notes\" font-size=\"12\" fill=\"#444\">\n";
    for (std::size_t i = 0; i < notes.size(); ++i)
        s << "<text x=\"" << x << "\" y=\"" << fixed(y + kNoteLine * static_cast<double>(i)) << "\">" << markup_escape(notes[i])
          << "</text>\n";
    s << "</g>\n";
}

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
    const LogAxis axis = log_axis(lowest, highest, py0, py1);

    const auto X = [&](double x) { return px0 + (x - x_min) / (x_max - x_min) * (px1 - px0); };
    const auto Y = [&](double v) { return axis.y(v); };

    std::ostringstream s;
    open_svg(s, kWidth, height, d.title);
    s << "<defs><clipPath id=\"plot-area\"><rect x=\"" << px0 << "\" y=\"" << py0 << "\" width=\"" << px1 - px0
      << "\" height=\"" << py1 - py0 << "\"/></clipPath></defs>\n";
    draw_heading(s, kWidth, d.title, d.subtitle, top - 26);
    if (!d.description.empty())
        s << "<text x=\"" << kWidth / 2 << "\" y=\"54\" text-anchor=\"middle\" font-size=\"14\" font-style=\"italic\">"
          << markup_escape(d.description) << "</text>\n";

    draw_log_axis(s, axis, px0, px1, "key rate (bits per pulse, log scale)");

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
      << markup_escape(d.x_label) << "</text>\n</g>\n";
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
              << "\">" << markup_escape(d.point_labels[i]) << "</text>\n";
        }
    }
    for (const auto& [x, label] : d.markers) {
        if (x < x_min || x > x_max) continue;
        const bool right_half = X(x) > (px0 + px1) / 2;
        s << "<line x1=\"" << fixed(X(x), 2) << "\" y1=\"" << py0 << "\" x2=\"" << fixed(X(x), 2) << "\" y2=\"" << py1
          << "\" stroke=\"" << kRateColour << "\" stroke-width=\"1.5\" stroke-dasharray=\"3 4\"/>\n"
          << "<text x=\"" << fixed(X(x) + (right_half ? -8 : 8), 2) << "\" y=\"" << py1 - 12 << "\" text-anchor=\""
          << (right_half ? "end" : "start") << "\" font-size=\"13\" fill=\"" << kRateColour << "\">" << markup_escape(label)
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
      << "<text x=\"" << lx + 58 << "\" y=\"" << ly + 22 << "\">" << markup_escape(d.curve_label) << "</text>\n"
      << "<line x1=\"" << lx + 12 << "\" y1=\"" << ly + 39 << "\" x2=\"" << lx + 48 << "\" y2=\"" << ly + 39
      << "\" stroke=\"" << kPlobColour << "\" stroke-width=\"2\" stroke-dasharray=\"8 5\"/>\n"
      << "<text x=\"" << lx + 58 << "\" y=\"" << ly + 43 << "\">" << markup_escape(d.plob_label) << "</text>\n";
    for (std::size_t i = 0; i < d.compared.size(); ++i) {
        const double y = ly + 60 + 21.0 * static_cast<double>(i);
        s << "<line x1=\"" << lx + 12 << "\" y1=\"" << fixed(y) << "\" x2=\"" << lx + 48 << "\" y2=\"" << fixed(y)
          << "\" stroke=\"" << kComparedColours[i % kComparedColourCount] << "\" stroke-width=\"2.5\"/>\n"
          << "<text x=\"" << lx + 58 << "\" y=\"" << fixed(y + 4) << "\">" << markup_escape(d.compared[i].label) << "</text>\n";
    }
    s << "</g>\n";

    // Notes under the x title.
    draw_notes(s, d.notes, px0, py1 + kBelow + 8);
    s << "</svg>\n";
    return s.str();
}

std::string render_bars_svg(const BarData& d) {
    constexpr double kBarsTop = 70;
    const double width = std::max(kWidth, kLeft + kRight + 62.0 * static_cast<double>(d.bars.size()));
    const double px0 = kLeft, px1 = width - kRight, py0 = kBarsTop + 30, py1 = py0 + 400;
    const double height = py1 + 60 + kNoteLine * static_cast<double>(d.notes.size()) + 12;

    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
    for (const Bar& b : d.bars)
        for (double v : {b.rate, b.plob})
            if (drawable(v)) {
                lowest = std::min(lowest, std::log10(v));
                highest = std::max(highest, std::log10(v));
            }
    // Half a decade of headroom above the tallest bar for its caption.
    const LogAxis axis = log_axis(lowest, highest + 0.5, py0, py1);

    std::ostringstream s;
    open_svg(s, width, height, d.title);
    draw_heading(s, width, d.title, d.subtitle, 52);
    draw_log_axis(s, axis, px0, px1, "key rate (bits per pulse, log scale)");
    s << "<rect x=\"" << px0 << "\" y=\"" << py0 << "\" width=\"" << px1 - px0 << "\" height=\"" << py1 - py0
      << "\" fill=\"none\" stroke=\"black\"/>\n";

    const double slot = (px1 - px0) / static_cast<double>(std::max<std::size_t>(d.bars.size(), 1));
    const double bar = std::min(40.0, slot * 0.6);
    s << "<g id=\"bars\" font-size=\"12\">\n";
    for (std::size_t i = 0; i < d.bars.size(); ++i) {
        const Bar& b = d.bars[i];
        const double cx = px0 + slot * (static_cast<double>(i) + 0.5);
        if (drawable(b.rate)) {
            const double top = axis.y(b.rate);
            s << "<rect id=\"bar-" << i + 1 << "\" x=\"" << fixed(cx - bar / 2, 2) << "\" y=\"" << fixed(top, 2) << "\" width=\""
              << fixed(bar, 2) << "\" height=\"" << fixed(py1 - top, 2) << "\" fill=\"" << kRateColour << "\"/>\n";
        } else {
            // No key: a cross on the axis, so the pair is not simply missing.
            s << "<text x=\"" << fixed(cx) << "\" y=\"" << py1 - 6 << "\" text-anchor=\"middle\" fill=\"" << kPlobColour
              << "\">\u2715</text>\n";
        }
        if (drawable(b.plob)) {
            const double y = axis.y(b.plob);
            s << "<line id=\"plob-" << i + 1 << "\" x1=\"" << fixed(cx - bar / 2 - 6, 2) << "\" y1=\"" << fixed(y, 2) << "\" x2=\""
              << fixed(cx + bar / 2 + 6, 2) << "\" y2=\"" << fixed(y, 2) << "\" stroke=\"" << kPlobColour
              << "\" stroke-width=\"3\"/>\n";
        }
        const double caption_y = (drawable(b.rate) ? std::min(axis.y(b.rate), drawable(b.plob) ? axis.y(b.plob) : py1) : py1 - 20) - 8;
        s << "<text x=\"" << fixed(cx) << "\" y=\"" << fixed(caption_y) << "\" text-anchor=\"middle\">" << markup_escape(b.caption)
          << "</text>\n"
          << "<text x=\"" << fixed(cx) << "\" y=\"" << py1 + 20 << "\" text-anchor=\"middle\" font-size=\"13\">" << markup_escape(b.label)
          << "</text>\n";
    }
    s << "</g>\n";

    // Legend, bottom right inside the plot (the bars' tops are above it: it sits on the lowest decade).
    const double lx = px1 - 330, ly = py0 + 10;
    s << "<g id=\"legend\" font-size=\"13\">\n"
      << "<rect x=\"" << lx << "\" y=\"" << ly << "\" width=\"320\" height=\"50\" fill=\"white\" fill-opacity=\"0.92\" stroke=\"#999\"/>\n"
      << "<rect x=\"" << lx + 12 << "\" y=\"" << ly + 10 << "\" width=\"30\" height=\"12\" fill=\"" << kRateColour << "\"/>\n"
      << "<text x=\"" << lx + 52 << "\" y=\"" << ly + 21 << "\">" << markup_escape(d.bar_label) << "</text>\n"
      << "<line x1=\"" << lx + 10 << "\" y1=\"" << ly + 37 << "\" x2=\"" << lx + 44 << "\" y2=\"" << ly + 37 << "\" stroke=\""
      << kPlobColour << "\" stroke-width=\"3\"/>\n"
      << "<text x=\"" << lx + 52 << "\" y=\"" << ly + 42 << "\">" << markup_escape(d.plob_label) << "</text>\n</g>\n";
    draw_notes(s, d.notes, px0, py1 + 48);
    s << "</svg>\n";
    return s.str();
}

std::string render_star_svg(const StarData& d) {
    // Ten channel colours: the Okabe-Ito set, then darker tones; channels beyond repeat them.
    constexpr const char* kChannelColours[] = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2",
                                               "#d55e00", "#cc79a7", "#000000", "#7f7f7f", "#8c564b"};
    constexpr std::size_t kChannelColourCount = sizeof kChannelColours / sizeof kChannelColours[0];
    constexpr double kStarWidth = 1000, kRadius = 290, kCx = 360, kCy = 390;
    const double legend_height = 24.0 + 19.0 * static_cast<double>(d.channels.size());
    const double height = std::max(kCy + kRadius + 70, 110 + legend_height) + kNoteLine * static_cast<double>(d.notes.size()) + 12;
    std::ostringstream s;
    open_svg(s, kStarWidth, height, d.title);
    draw_heading(s, kStarWidth, d.title, d.subtitle, 52);

    const std::size_t n = d.clients.size();
    const bool labels = n <= 48;  // beyond, names would overlap: the rays alone show the structure
    s << "<g id=\"rays\" font-size=\"12\">\n";
    for (std::size_t i = 0; i < n; ++i) {
        const StarClient& c = d.clients[i];
        const double angle = 2 * std::acos(-1.0) * static_cast<double>(i) / static_cast<double>(std::max<std::size_t>(n, 1)) - std::acos(-1.0) / 2;
        const double x = kCx + kRadius * std::cos(angle), y = kCy + kRadius * std::sin(angle);
        const char* colour = c.paired ? kChannelColours[c.channel_index % kChannelColourCount] : "#bbbbbb";
        s << "<line x1=\"" << kCx << "\" y1=\"" << kCy << "\" x2=\"" << fixed(x, 2) << "\" y2=\"" << fixed(y, 2) << "\" stroke=\"" << colour
          << "\" stroke-width=\"" << (n <= 48 ? 3 : 1.2) << "\"/>\n";
        if (c.long_downstream) {
            // The comb line's own long fibre, beside the upstream ray.
            const double ox = 5 * -std::sin(angle), oy = 5 * std::cos(angle);
            s << "<line x1=\"" << fixed(kCx + ox, 2) << "\" y1=\"" << fixed(kCy + oy, 2) << "\" x2=\"" << fixed(x + ox, 2) << "\" y2=\""
              << fixed(y + oy, 2) << "\" stroke=\"#444\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n";
        }
        s << "<circle cx=\"" << fixed(x, 2) << "\" cy=\"" << fixed(y, 2) << "\" r=\"" << (labels ? 13 : 3) << "\" fill=\"white\" stroke=\""
          << colour << "\" stroke-width=\"2.5\"/>\n";
        if (labels) {
            s << "<text x=\"" << fixed(x, 2) << "\" y=\"" << fixed(y + 4, 2) << "\" text-anchor=\"middle\" font-weight=\"bold\">"
              << markup_escape(c.name) << "</text>\n";
            const double lx = kCx + 0.62 * kRadius * std::cos(angle), ly = kCy + 0.62 * kRadius * std::sin(angle);
            s << "<text x=\"" << fixed(lx, 2) << "\" y=\"" << fixed(ly, 2) << "\" text-anchor=\"middle\" font-size=\"10\" fill=\"#333\">"
              << markup_escape(c.fibre) << "</text>\n";
        }
    }
    s << "</g>\n"
      << "<circle cx=\"" << kCx << "\" cy=\"" << kCy << "\" r=\"46\" fill=\"#1f5fbf\"/>\n"
      << "<text x=\"" << kCx << "\" y=\"" << kCy + 5 << "\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\" fill=\"white\">"
      << markup_escape(d.centre) << "</text>\n";

    const double lx = kCx + kRadius + 60, ly = 80;
    s << "<g id=\"legend\" font-size=\"13\">\n<text x=\"" << lx << "\" y=\"" << ly + 14 << "\" font-weight=\"bold\">WDM channels</text>\n";
    for (std::size_t i = 0; i < d.channels.size(); ++i) {
        const double y = ly + 24 + 19.0 * static_cast<double>(i);
        s << "<rect x=\"" << lx << "\" y=\"" << fixed(y + 2) << "\" width=\"22\" height=\"8\" fill=\"" << kChannelColours[i % kChannelColourCount]
          << "\"/>\n<text x=\"" << lx + 30 << "\" y=\"" << fixed(y + 11) << "\">" << markup_escape(d.channels[i]) << "</text>\n";
    }
    s << "</g>\n";
    draw_notes(s, d.notes, 40, height - 12 - kNoteLine * static_cast<double>(d.notes.size()) + kNoteLine - 4);
    s << "</svg>\n";
    return s.str();
}

}  // namespace tfqkd::cli::keyrate
