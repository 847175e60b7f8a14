// Drawing a LineChart. The picture is built as text, top to bottom:
//   title, grid lines and tick labels, the plot frame, the data lines (clipped to the
//   frame), the legend at the right, the axis labels.
// Data coordinates become pixels through one linear map per axis (through log10 for a
// log axis); SVG's y grows downwards, so larger values get smaller pixel y.
#include "viz/svg_chart.h"

#include <algorithm>
#include <cmath>

#include "tensor/error.h"
#include "tensor/file_io.h"
#include "viz/svg_util.h"
#include "viz/ticks.h"

namespace nn::viz {
namespace {

// The "Tableau 10" palette (matplotlib's default): distinct, and readable when printed.
const char* const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

constexpr double kTickFont = 11, kLabelFont = 13, kTitleFont = 16, kLegendFont = 12;

// Far-away points (outside fixed limits) are clipped anyway; clamping their pixel
// coordinates keeps numbers short and finite.
double clamp_px(double v) { return std::clamp(v, -1e5, 1e5); }

}  // namespace

LineChart::LineChart(std::string title) : title_(std::move(title)) {}

LineChart& LineChart::title(std::string text) {
  title_ = std::move(text);
  return *this;
}

LineChart& LineChart::x_label(std::string text) {
  x_label_ = std::move(text);
  return *this;
}

LineChart& LineChart::y_label(std::string text) {
  y_label_ = std::move(text);
  return *this;
}

LineChart& LineChart::log_y(bool on) {
  log_y_ = on;
  return *this;
}

LineChart& LineChart::whole_x(bool on) {
  whole_x_ = on;
  return *this;
}

LineChart& LineChart::x_limits(double lo, double hi) {
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi))
    throw ValueError("x_limits needs finite lo < hi, got " + svg_number(lo, 6) + ", " + svg_number(hi, 6));
  has_x_limits_ = true, x_lo_ = lo, x_hi_ = hi;
  return *this;
}

LineChart& LineChart::y_limits(double lo, double hi) {
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi))
    throw ValueError("y_limits needs finite lo < hi, got " + svg_number(lo, 6) + ", " + svg_number(hi, 6));
  has_y_limits_ = true, y_lo_ = lo, y_hi_ = hi;
  return *this;
}

LineChart& LineChart::size(int width, int height) {
  if (width < 200 || height < 150 || width > 20000 || height > 20000)
    throw ValueError("a chart must be between 200x150 and 20000x20000 pixels, got " + std::to_string(width) + "x" +
                     std::to_string(height));
  width_ = width, height_ = height;
  return *this;
}

LineChart& LineChart::add_series(std::string name, std::vector<double> xs, std::vector<double> ys, SeriesStyle style) {
  if (xs.size() != ys.size())
    throw ShapeError("series '" + name + "' has " + std::to_string(xs.size()) + " x values but " +
                     std::to_string(ys.size()) + " y values; give one x per y");
  series_.push_back({std::move(name), std::move(xs), std::move(ys), std::move(style)});
  return *this;
}

LineChart& LineChart::add_series(std::string name, std::vector<double> ys, SeriesStyle style) {
  std::vector<double> xs(ys.size());
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<double>(i + 1);
  return add_series(std::move(name), std::move(xs), std::move(ys), std::move(style));
}

std::string LineChart::to_svg() const {
  if (log_y_ && has_y_limits_ && y_lo_ <= 0)
    throw ValueError("a log-scale y axis needs y_limits above 0, got " + svg_number(y_lo_, 6));

  // 1. Which points can be drawn, and the range they span.
  auto usable = [&](double x, double y) { return std::isfinite(x) && std::isfinite(y) && (!log_y_ || y > 0); };
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const Series& s : series_)
    for (size_t i = 0; i < s.xs.size(); ++i)
      if (usable(s.xs[i], s.ys[i])) {
        x_min = std::min(x_min, s.xs[i]), x_max = std::max(x_max, s.xs[i]);
        y_min = std::min(y_min, s.ys[i]), y_max = std::max(y_max, s.ys[i]);
      }
  const bool any_points = x_min <= x_max;
  if (!any_points) x_min = 0, x_max = 1, y_min = log_y_ ? 1 : 0, y_max = log_y_ ? 10 : 1;

  const Axis x_axis = has_x_limits_ ? linear_axis(x_lo_, x_hi_, true, whole_x_) : linear_axis(x_min, x_max, false, whole_x_);
  const Axis y_axis = log_y_ ? (has_y_limits_ ? log_axis(y_lo_, y_hi_, true) : log_axis(y_min, y_max))
                             : (has_y_limits_ ? linear_axis(y_lo_, y_hi_, true) : linear_axis(y_min, y_max));

  // 2. Layout: margins sized to what they hold.
  double y_tick_width = 0;
  for (const std::string& l : y_axis.labels) y_tick_width = std::max(y_tick_width, text_width(l, kTickFont));
  double legend_width = 0;
  for (const Series& s : series_)
    legend_width = std::max(legend_width, text_width(s.name + (s.xs.empty() ? " (no data)" : ""), kLegendFont));
  const double left = 12 + (y_label_.empty() ? 0 : kLabelFont + 10) + y_tick_width + 8;
  const double right = series_.empty() ? 20 : legend_width + 56;
  const double top = title_.empty() ? 16 : kTitleFont + 24;
  const double bottom = 8 + kTickFont + 12 + (x_label_.empty() ? 0 : kLabelFont + 12);
  const double plot_w = std::max(50.0, width_ - left - right);
  const double plot_h = std::max(50.0, height_ - top - bottom);

  auto to_unit = [](const Axis& a, double v) {
    if (a.log) return (std::log10(v) - std::log10(a.lo)) / (std::log10(a.hi) - std::log10(a.lo));
    return (v - a.lo) / (a.hi - a.lo);
  };
  auto px = [&](double x) { return clamp_px(left + to_unit(x_axis, x) * plot_w); };
  auto py = [&](double y) { return clamp_px(top + plot_h - to_unit(y_axis, y) * plot_h); };
  auto n = [](double v) { return svg_number(v, 2); };

  std::string svg = svg_open(width_, height_);
  if (!title_.empty())
    svg += "<text class=\"title\" x=\"" + n(width_ / 2.0) + "\" y=\"" + n(kTitleFont + 8) +
           "\" text-anchor=\"middle\" font-size=\"" + n(kTitleFont) + "\" font-weight=\"bold\">" + xml_escape(title_) +
           "</text>\n";

  // 3. Grid lines and tick labels.
  svg += "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n";
  for (double t : x_axis.ticks)
    svg += "<line x1=\"" + n(px(t)) + "\" y1=\"" + n(top) + "\" x2=\"" + n(px(t)) + "\" y2=\"" + n(top + plot_h) + "\"/>\n";
  for (double t : y_axis.ticks)
    svg += "<line x1=\"" + n(left) + "\" y1=\"" + n(py(t)) + "\" x2=\"" + n(left + plot_w) + "\" y2=\"" + n(py(t)) + "\"/>\n";
  svg += "</g>\n<g class=\"x-ticks\" font-size=\"" + n(kTickFont) + "\" text-anchor=\"middle\" fill=\"#333\">\n";
  for (size_t i = 0; i < x_axis.ticks.size(); ++i)
    svg += "<text class=\"tick-label\" x=\"" + n(px(x_axis.ticks[i])) + "\" y=\"" + n(top + plot_h + 6 + kTickFont) +
           "\">" + xml_escape(x_axis.labels[i]) + "</text>\n";
  svg += "</g>\n<g class=\"y-ticks\" font-size=\"" + n(kTickFont) + "\" text-anchor=\"end\" fill=\"#333\">\n";
  for (size_t i = 0; i < y_axis.ticks.size(); ++i)
    svg += "<text class=\"tick-label\" x=\"" + n(left - 6) + "\" y=\"" + n(py(y_axis.ticks[i]) + kTickFont * 0.35) +
           "\">" + xml_escape(y_axis.labels[i]) + "</text>\n";
  svg += "</g>\n";
  svg += "<rect class=\"frame\" x=\"" + n(left) + "\" y=\"" + n(top) + "\" width=\"" + n(plot_w) + "\" height=\"" +
         n(plot_h) + "\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>\n";

  // 4. The data, clipped to the frame. A run of usable points is one path; a NaN ends it.
  svg += "<defs><clipPath id=\"plot-area\"><rect x=\"" + n(left) + "\" y=\"" + n(top) + "\" width=\"" + n(plot_w) +
         "\" height=\"" + n(plot_h) + "\"/></clipPath></defs>\n";
  svg += "<g clip-path=\"url(#plot-area)\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\" stroke-linecap=\"round\">\n";
  std::vector<std::string> colours;
  for (size_t k = 0; k < series_.size(); ++k) {
    const Series& s = series_[k];
    colours.push_back(s.style.color.empty() ? kPalette[k % 10] : s.style.color);
    const std::string colour = xml_escape(colours.back());
    std::string d, dots;
    size_t run = 0;  // points in the current unbroken run
    for (size_t i = 0; i <= s.xs.size(); ++i) {
      const bool ok = i < s.xs.size() && usable(s.xs[i], s.ys[i]);
      if (ok) {
        d += (run == 0 ? "M" : " L") + n(px(s.xs[i])) + " " + n(py(s.ys[i]));
        ++run;
        if (!s.style.line)
          dots += "<circle cx=\"" + n(px(s.xs[i])) + "\" cy=\"" + n(py(s.ys[i])) + "\" r=\"1.6\"/>";
        else if (s.style.markers)
          dots += "<circle cx=\"" + n(px(s.xs[i])) + "\" cy=\"" + n(py(s.ys[i])) + "\" r=\"3\"/>";
      } else {
        // A lone point between two gaps draws nothing as a path: give it a dot.
        if (run == 1 && !s.style.markers && s.style.line)
          dots += "<circle cx=\"" + n(px(s.xs[i - 1])) + "\" cy=\"" + n(py(s.ys[i - 1])) + "\" r=\"2.5\"/>";
        if (run > 0) d += " ";
        run = 0;
      }
    }
    if (s.style.line)
      svg += "<path class=\"series\" data-name=\"" + xml_escape(s.name) + "\" stroke=\"" + colour + "\"" +
             (s.style.dashed ? " stroke-dasharray=\"7 5\"" : "") + " d=\"" + d + "\"/>\n";
    else
      dots = "<g class=\"series\" data-name=\"" + xml_escape(s.name) + "\">" + dots + "</g>";
    if (!dots.empty()) svg += "<g fill=\"" + colour + "\" stroke=\"none\">" + dots + "</g>\n";
  }
  svg += "</g>\n";

  // 5. Legend: a short line in the series' colour and style, then its name.
  if (!series_.empty()) {
    const double lx = left + plot_w + 16;
    svg += "<g class=\"legend\" font-size=\"" + n(kLegendFont) + "\">\n";
    for (size_t k = 0; k < series_.size(); ++k) {
      const Series& s = series_[k];
      const double ly = top + 10 + k * (kLegendFont + 8);
      if (s.style.line)
        svg += "<line x1=\"" + n(lx) + "\" y1=\"" + n(ly) + "\" x2=\"" + n(lx + 26) + "\" y2=\"" + n(ly) +
               "\" stroke=\"" + xml_escape(colours[k]) + "\" stroke-width=\"2\"" +
               (s.style.dashed ? " stroke-dasharray=\"7 5\"" : "") + "/>\n";
      else  // a scatter series: its dot
        svg += "<circle cx=\"" + n(lx + 13) + "\" cy=\"" + n(ly) + "\" r=\"4\" fill=\"" + xml_escape(colours[k]) + "\"/>\n";
      svg += "<text class=\"legend-label\" x=\"" + n(lx + 32) + "\" y=\"" + n(ly + kLegendFont * 0.35) + "\">" +
             xml_escape(s.name) + (s.xs.empty() ? " (no data)" : "") + "</text>\n";
    }
    svg += "</g>\n";
  }

  // 6. Axis labels: x under the ticks, y turned to read upwards along the left edge.
  if (!x_label_.empty())
    svg += "<text class=\"axis-label\" x=\"" + n(left + plot_w / 2) + "\" y=\"" + n(height_ - 10.0) +
           "\" text-anchor=\"middle\" font-size=\"" + n(kLabelFont) + "\">" + xml_escape(x_label_) + "</text>\n";
  if (!y_label_.empty()) {
    const double cx = 12 + kLabelFont * 0.8, cy = top + plot_h / 2;
    svg += "<text class=\"axis-label\" x=\"" + n(cx) + "\" y=\"" + n(cy) + "\" text-anchor=\"middle\" font-size=\"" +
           n(kLabelFont) + "\" transform=\"rotate(-90 " + n(cx) + " " + n(cy) + ")\">" + xml_escape(y_label_) + "</text>\n";
  }
  if (log_y_)
    svg += "<text class=\"note\" x=\"" + n(left + 4) + "\" y=\"" + n(top - 4) + "\" font-size=\"10\" fill=\"#777\">log scale</text>\n";
  return svg + "</svg>\n";
}

void LineChart::save(const std::string& path) const { write_file_atomic(path, to_svg()); }

}  // namespace nn::viz
