#include "viz/confusion_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tensor/error.h"
#include "tensor/file_io.h"
#include "viz/svg_util.h"

namespace nn::viz {
namespace {

// Class id of row i: the id itself for (N) labels, the position of the largest value
// for (N, K) rows (one-hot targets or predicted probabilities).
int class_of(const Tensor& t, int i, int num_classes, const char* which) {
  if (t.rank() == 1) {
    const float v = t[static_cast<size_t>(i)];
    if (!(v >= 0) || v >= static_cast<float>(num_classes) || v != std::floor(v))
      throw ValueError(std::string(which) + " label " + std::to_string(i) + " is " + std::to_string(v) +
                       "; class ids must be whole numbers 0.." + std::to_string(num_classes - 1));
    return static_cast<int>(v);
  }
  const float* row = t.data() + static_cast<size_t>(i) * num_classes;
  return static_cast<int>(std::max_element(row, row + num_classes) - row);
}

void check_labels(const Tensor& t, int num_classes, const char* which) {
  const bool ids = t.rank() == 1, rows = t.rank() == 2 && t.dim(1) == num_classes;
  if (!ids && !rows)
    throw ShapeError(std::string(which) + " must have shape (N) with class ids or (N, " + std::to_string(num_classes) +
                     ") with one score per class, got " + shape_str(t.shape()));
}

// White for 0, deep blue for 1.
std::string shade(double share) {
  share = std::clamp(share, 0.0, 1.0);
  auto mix = [&](int from, int to) { return static_cast<int>(std::lround(from + (to - from) * share)); };
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(255, 8), mix(255, 48), mix(255, 107));
  return buf;
}

}  // namespace

Tensor confusion_matrix(const Tensor& actual, const Tensor& predicted, int num_classes) {
  if (num_classes < 1 || num_classes > 1000)
    throw ValueError("confusion_matrix needs 1..1000 classes, got " + std::to_string(num_classes));
  check_labels(actual, num_classes, "actual");
  check_labels(predicted, num_classes, "predicted");
  if (actual.dim(0) != predicted.dim(0))
    throw ShapeError("confusion_matrix got " + std::to_string(actual.dim(0)) + " actual labels but " +
                     std::to_string(predicted.dim(0)) + " predictions; pass the same examples to both");
  Tensor counts({num_classes, num_classes});
  for (int i = 0; i < actual.dim(0); ++i) {
    const int a = class_of(actual, i, num_classes, "actual");
    const int p = class_of(predicted, i, num_classes, "predicted");
    counts[static_cast<size_t>(a) * num_classes + p] += 1;
  }
  return counts;
}

std::string confusion_matrix_svg(const Tensor& counts, const std::vector<std::string>& class_names,
                                 const std::string& title) {
  if (counts.rank() != 2 || counts.dim(0) != counts.dim(1) || counts.dim(0) < 1)
    throw ShapeError("a confusion matrix must have shape (K, K), got " + shape_str(counts.shape()));
  const int k = counts.dim(0);
  if (!class_names.empty() && static_cast<int>(class_names.size()) != k)
    throw ShapeError("got " + std::to_string(class_names.size()) + " class names for a " + std::to_string(k) + "x" +
                     std::to_string(k) + " confusion matrix; give one name per class, or none");
  std::vector<std::string> names = class_names;
  if (names.empty())
    for (int i = 0; i < k; ++i) names.push_back(std::to_string(i));

  // Cells big enough for the largest count; margins big enough for the longest name.
  double total = 0, correct = 0, max_count = 0, name_w = 0;
  for (int a = 0; a < k; ++a)
    for (int p = 0; p < k; ++p) {
      const double c = counts[static_cast<size_t>(a) * k + p];
      total += c;
      if (a == p) correct += c;
      max_count = std::max(max_count, c);
    }
  for (const std::string& s : names) name_w = std::max(name_w, text_width(s, 12));
  const double cell = std::max(36.0, text_width(svg_number(max_count, 0), 11) + 10);
  const double left = 40 + name_w + 10;  // "actual class" + row names
  const double top = 50;                 // title and subtitle
  const double side = cell * k;
  const double slanted = name_w * 0.72;  // height of a column name turned 45 degrees
  const int width = static_cast<int>(left + side + 20);
  const int height = static_cast<int>(top + side + 12 + slanted + 32);
  auto n = [](double v) { return svg_number(v, 2); };

  std::string svg = svg_open(width, height);
  svg += "<text class=\"title\" x=\"" + n(width / 2.0) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"16\" "
         "font-weight=\"bold\">" + xml_escape(title) + "</text>\n";
  if (total > 0)
    svg += "<text class=\"subtitle\" x=\"" + n(width / 2.0) + "\" y=\"38\" text-anchor=\"middle\" font-size=\"11\" "
           "fill=\"#555\">accuracy " + svg_number(correct / total, 4) + " (" + svg_number(correct, 0) + " of " +
           svg_number(total, 0) + ")</text>\n";

  svg += "<g class=\"cells\" font-size=\"11\" text-anchor=\"middle\">\n";
  for (int a = 0; a < k; ++a) {
    double row_total = 0;
    for (int p = 0; p < k; ++p) row_total += counts[static_cast<size_t>(a) * k + p];
    for (int p = 0; p < k; ++p) {
      const double c = counts[static_cast<size_t>(a) * k + p];
      const double share = row_total > 0 ? c / row_total : 0;
      const double x = left + p * cell, y = top + a * cell;
      svg += "<rect class=\"cell\" x=\"" + n(x) + "\" y=\"" + n(y) + "\" width=\"" + n(cell) + "\" height=\"" + n(cell) +
             "\" fill=\"" + shade(share) + "\" stroke=\"#ddd\"/>";
      svg += "<text x=\"" + n(x + cell / 2) + "\" y=\"" + n(y + cell / 2 + 4) + "\" fill=\"" +
             (share > 0.5 ? "white" : "#222") + "\">" + svg_number(c, 0) + "</text>\n";
    }
  }
  svg += "</g>\n";

  // Row names (actual) at the left, column names (predicted) below, slanted to fit.
  svg += "<g class=\"class-names\" font-size=\"12\" fill=\"#222\">\n";
  for (int i = 0; i < k; ++i) {
    const std::string name = xml_escape(names[i]);
    svg += "<text x=\"" + n(left - 6) + "\" y=\"" + n(top + i * cell + cell / 2 + 4) + "\" text-anchor=\"end\">" + name +
           "</text>\n";
    const double cx = left + i * cell + cell / 2 + 4, cy = top + side + 14;
    svg += "<text x=\"" + n(cx) + "\" y=\"" + n(cy) + "\" text-anchor=\"end\" transform=\"rotate(-45 " + n(cx) + " " +
           n(cy) + ")\">" + name + "</text>\n";
  }
  svg += "</g>\n";
  svg += "<text class=\"axis-label\" x=\"" + n(left + side / 2) + "\" y=\"" + n(top + side + 12 + slanted + 22) +
         "\" text-anchor=\"middle\" font-size=\"13\">predicted class</text>\n";
  const double ax = 20, ay = top + side / 2;
  svg += "<text class=\"axis-label\" x=\"" + n(ax) + "\" y=\"" + n(ay) + "\" text-anchor=\"middle\" font-size=\"13\" "
         "transform=\"rotate(-90 " + n(ax) + " " + n(ay) + ")\">actual class</text>\n";
  return svg + "</svg>\n";
}

void save_confusion_matrix(const std::string& path, const Tensor& counts, const std::vector<std::string>& class_names,
                           const std::string& title) {
  write_file_atomic(path, confusion_matrix_svg(counts, class_names, title));
}

}  // namespace nn::viz
