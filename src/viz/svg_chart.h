// Line charts as SVG files: loss and accuracy curves, a loss against a probability, ...
//
//   nn::viz::LineChart chart("Training loss");
//   chart.x_label("epoch").y_label("loss");
//   chart.add_series("loss", history_loss);                    // x = 1, 2, ..., n
//   chart.add_series("val_loss", val_loss, {.dashed = true});
//   chart.save("out/loss.svg");                                 // open it in a browser
//
// A scatter plot is a chart whose series have {.line = false}: one colour per group.
//
// Axes get "nice" ticks (steps of 1, 2 or 5 times a power of ten), a legend names each
// series, and log_y() shows losses that shrink by orders of magnitude. Points that are
// NaN or infinite (or <= 0 on a log axis) are skipped: the line breaks there instead of
// the whole chart failing, because a diverging run is exactly what you want to see.
#pragma once
#include <string>
#include <vector>

namespace nn::viz {

struct SeriesStyle {
  std::string color = "";  // any SVG colour ("#d62728", "red"); "" = next palette colour
  bool dashed = false;     // e.g. validation dashed next to training solid
  bool markers = false;    // a dot on every point, for series with few points
  bool line = true;        // false: dots only, unjoined (a scatter plot: points of a latent
                           // space coloured by class; thousands of points stay readable)
};

class LineChart {
 public:
  explicit LineChart(std::string title = "");

  LineChart& title(std::string text);
  LineChart& x_label(std::string text);
  LineChart& y_label(std::string text);
  LineChart& log_y(bool on = true);
  // Ticks on the x axis only at whole numbers: for epochs and steps (no "epoch 1.5").
  LineChart& whole_x(bool on = true);
  // Fixed axis ranges instead of ranges fitted to the data (points outside are cut off).
  LineChart& x_limits(double lo, double hi);
  LineChart& y_limits(double lo, double hi);
  LineChart& size(int width, int height);  // pixels; default 720 x 420

  // xs and ys must have the same length (ShapeError otherwise); either may be empty.
  LineChart& add_series(std::string name, std::vector<double> xs, std::vector<double> ys, SeriesStyle style = {});
  // Only y values: x = 1, 2, ..., n (epochs count from 1, as Keras prints them).
  LineChart& add_series(std::string name, std::vector<double> ys, SeriesStyle style = {});

  // The same for vectors of float or int (e.g. History's losses).
  template <class X, class Y>
  LineChart& add_series(std::string name, const std::vector<X>& xs, const std::vector<Y>& ys, SeriesStyle style = {}) {
    return add_series(std::move(name), std::vector<double>(xs.begin(), xs.end()),
                      std::vector<double>(ys.begin(), ys.end()), std::move(style));
  }
  template <class Y>
  LineChart& add_series(std::string name, const std::vector<Y>& ys, SeriesStyle style = {}) {
    return add_series(std::move(name), std::vector<double>(ys.begin(), ys.end()), std::move(style));
  }

  size_t num_series() const { return series_.size(); }
  std::string to_svg() const;
  // Writes atomically (path.tmp, then rename), creating the folder; IoError on failure.
  void save(const std::string& path) const;

 private:
  struct Series {
    std::string name;
    std::vector<double> xs, ys;
    SeriesStyle style;
  };
  std::string title_, x_label_, y_label_;
  bool log_y_ = false, whole_x_ = false;
  bool has_x_limits_ = false, has_y_limits_ = false;
  double x_lo_ = 0, x_hi_ = 1, y_lo_ = 0, y_hi_ = 1;
  int width_ = 720, height_ = 420;
  std::vector<Series> series_;
};

}  // namespace nn::viz
