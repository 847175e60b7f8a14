#include "model/progress_bar.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ostream>

namespace nn {

// Keras's Progbar: `if abs(avg) > 1e-3: %.4f else %.4e`, compared in double as numpy does,
// so an exact 0 prints as 0.0000e+00.
std::string format_metric(float value) {
  char buf[32];
  const double v = value;
  std::snprintf(buf, sizeof buf, std::fabs(v) > 1e-3 ? "%.4f" : "%.4e", v);
  return buf;
}

ProgressBar::ProgressBar(int total_steps, int verbose, std::ostream& out, bool interactive)
    : total_(total_steps), verbose_(verbose), out_(out), interactive_(interactive),
      start_(std::chrono::steady_clock::now()) {}

bool ProgressBar::stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

double ProgressBar::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::bar(int step, int total) {
  const int digits = static_cast<int>(std::to_string(total).size());
  char head[64];
  std::snprintf(head, sizeof head, "%*d/%d [", digits, step, total);
  std::string s = head;
  const int width = 30;
  const int filled = total > 0 ? width * step / total : width;
  if (filled > 0) {
    s += std::string(filled - 1, '=');
    s += step < total ? '>' : '=';
  }
  s += std::string(width - filled, '.');
  return s + "]";
}

std::string ProgressBar::format_logs(const Logs& logs) {
  // Keras order: loss first, then the metrics, then the validation numbers.
  std::string s;
  auto add = [&](const std::string& key) {
    auto it = logs.find(key);
    if (it != logs.end()) s += " - " + key + ": " + format_metric(it->second);
  };
  add("loss");
  for (auto& [k, v] : logs)
    if (k != "loss" && k.rfind("val_", 0) != 0) add(k);
  add("val_loss");
  for (auto& [k, v] : logs)
    if (k != "val_loss" && k.rfind("val_", 0) == 0) add(k);
  return s;
}

std::string ProgressBar::format_per_step(double s) {
  char buf[32];
  if (s >= 1.0)
    std::snprintf(buf, sizeof buf, "%.0fs/step", s);
  else if (s >= 1e-3)
    std::snprintf(buf, sizeof buf, "%.0fms/step", s * 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0fus/step", s * 1e6);
  return buf;
}

std::string ProgressBar::format_eta(double s) {
  char buf[48];
  const long t = std::lround(s);
  if (t > 3600)
    std::snprintf(buf, sizeof buf, "ETA: %ld:%02ld:%02ld", t / 3600, (t % 3600) / 60, t % 60);
  else if (t > 60)
    std::snprintf(buf, sizeof buf, "ETA: %ld:%02ld", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "ETA: %lds", t);
  return buf;
}

void ProgressBar::update(int step, const Logs& logs) {
  if (verbose_ != 1 || !interactive_) return;
  const double now = elapsed();
  if (last_draw_ >= 0 && now - last_draw_ < 0.05) return;  // redraw at most 20 times a second
  last_draw_ = now;
  const double eta = step > 0 ? now / step * (total_ - step) : 0.0;
  std::string line = bar(step, total_) + " - " + format_eta(eta) + format_logs(logs);
  const size_t width = line.size();
  if (width < last_width_) line += std::string(last_width_ - width, ' ');  // erase leftovers
  last_width_ = width;
  out_ << '\r' << line << std::flush;
}

void ProgressBar::finish(const Logs& logs) {
  if (verbose_ == 0) return;
  const double t = elapsed();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.0fs", t);
  const std::string per_step = format_per_step(total_ > 0 ? t / total_ : 0.0);
  std::string line;
  if (verbose_ == 2) {
    line = std::to_string(total_) + "/" + std::to_string(total_) + " - " + secs + format_logs(logs) + " - " + secs +
           "/epoch - " + per_step;
  } else {
    line = bar(total_, total_) + " - " + secs + " " + per_step + format_logs(logs);
  }
  if (interactive_ && verbose_ == 1) {
    if (line.size() < last_width_) line += std::string(last_width_ - line.size(), ' ');
    out_ << '\r';
  }
  out_ << line << "\n" << std::flush;
}

}  // namespace nn
