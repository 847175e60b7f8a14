#include "model/loss_parts.h"

#include <algorithm>
#include <set>

#include "tensor/error.h"

namespace nn {

LossList::LossList(std::initializer_list<LossRef> losses) {
  for (const LossRef& l : losses) losses_.push_back(l.get().clone());
}

LossList::LossList(const losses::Loss& one_for_all) { losses_.push_back(one_for_all.clone()); }

float OutputLoss::value(const Tensor& y_pred, const Tensor& y_true) const {
  return from_logits ? loss->value_from_logits(logits, y_true) : loss->value(y_pred, y_true);
}

void OutputLoss::gradient(const Tensor& y_pred, const Tensor& y_true) {
  if (from_logits)
    loss->gradient_from_logits(logits, y_true, grad);  // dL/dz from the logits: p - y
  else
    loss->gradient(y_pred, y_true, grad);
  if (weight != 1.0f)
    for (float& g : grad) g *= weight;
}

// ---- running sums ----

LossTotals LossTotals::zeros(size_t parts, size_t outputs) {
  LossTotals t;
  t.parts.assign(parts, 0.0);
  t.correct.assign(outputs, 0.0);
  return t;
}

void LossTotals::add(const BatchLoss& batch, size_t rows) {
  const double n = static_cast<double>(rows);
  loss += static_cast<double>(batch.total) * n;
  for (size_t i = 0; i < parts.size() && i < batch.parts.size(); ++i) parts[i] += static_cast<double>(batch.parts[i]) * n;
}

std::vector<double> LossTotals::flat() const {
  std::vector<double> f{loss, correct.empty() ? 0.0 : correct[0]};
  f.insert(f.end(), parts.begin(), parts.end());
  if (correct.size() > 1) f.insert(f.end(), correct.begin() + 1, correct.end());
  return f;
}

LossTotals LossTotals::from_flat(const std::vector<double>& f, size_t parts, size_t outputs) {
  if (f.size() != flat_size(parts, outputs))
    throw ValueError("the running totals hold " + std::to_string(f.size()) + " numbers; this model keeps " +
                     std::to_string(flat_size(parts, outputs)));
  LossTotals t = zeros(parts, outputs);
  t.loss = f[0];
  if (outputs > 0) t.correct[0] = f[1];
  std::copy(f.begin() + 2, f.begin() + 2 + static_cast<long>(parts), t.parts.begin());
  if (outputs > 1) std::copy(f.begin() + 2 + static_cast<long>(parts), f.end(), t.correct.begin() + 1);
  return t;
}

// ---- names ----

LogNames::LogNames(const std::vector<std::string>& outputs, const std::vector<std::string>& added,
                   const std::vector<std::string>& metric_names) {
  if (outputs.size() > 1 || !added.empty()) {
    for (const std::string& o : outputs) parts.push_back(o + "_loss");
    parts.insert(parts.end(), added.begin(), added.end());
  }
  for (const std::string& o : outputs) {
    metrics.emplace_back();
    for (const std::string& m : metric_names) metrics.back().push_back(outputs.size() > 1 ? o + "_" + m : m);
  }
  // Each part needs a name of its own (a metric given twice, {"accuracy", "accuracy"}, is one column).
  std::vector<std::string> loss_names{"loss"};
  loss_names.insert(loss_names.end(), parts.begin(), parts.end());
  std::set<std::string> seen;
  for (const std::string& name : all()) {
    const bool is_loss = std::find(loss_names.begin(), loss_names.end(), name) != loss_names.end();
    if (seen.insert(name).second || !is_loss) continue;
    std::string listed;
    for (const std::string& n : loss_names) listed += (listed.empty() ? "" : ", ") + n;
    throw ValueError("two parts of the loss would both be logged as \"" + name + "\" (the parts: " + listed +
                     "); give the outputs other names with model.set_output_names, or the added loss another name");
  }
}

std::vector<std::string> LogNames::all() const {
  std::vector<std::string> names{"loss"};
  names.insert(names.end(), parts.begin(), parts.end());
  for (const auto& per_output : metrics) names.insert(names.end(), per_output.begin(), per_output.end());
  return names;
}

std::vector<float> LogNames::values(const LossTotals& t, double rows) const {
  std::vector<float> v{static_cast<float>(t.loss / rows)};
  for (size_t i = 0; i < parts.size(); ++i) v.push_back(static_cast<float>(t.parts[i] / rows));
  for (size_t k = 0; k < metrics.size(); ++k)
    for (size_t m = 0; m < metrics[k].size(); ++m) v.push_back(static_cast<float>(t.correct[k] / rows));
  return v;
}

Logs LogNames::logs(const LossTotals& t, double rows, const std::string& prefix) const {
  const std::vector<std::string> names = all();
  const std::vector<float> v = values(t, rows);
  Logs logs;
  for (size_t i = 0; i < names.size(); ++i) logs[prefix + names[i]] = v[i];
  return logs;
}

}  // namespace nn
