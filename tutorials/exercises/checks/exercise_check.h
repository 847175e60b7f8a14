// A tiny checking harness for the exercises: each check prints a line with what it tested
// and, when it fails, what to look at. Your stub throws "not implemented yet" until you
// fill it in; that is reported as such, not as a crash.
//
// The checks use the library's own test helpers: the finite-difference gradient checker
// (tests/gradcheck_core.h) and the rules of the layer contract that it cannot see
// (tests/layer_contract.h: dx overwritten, parameter gradients added, and computed when
// the layer is the first after Input), which tests/test_conformance.cpp applies to every
// built-in layer. A hint names the mistake that usually causes a failure.
#pragma once
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck_core.h"
#include "layer_contract.h"
#include "nn.h"

namespace exercise {

inline int& failures() {
  static int f = 0;
  return f;
}

// Runs one named check; `body` returns an empty string when it passes, else a hint.
inline void check(const std::string& name, const std::function<std::string()>& body) {
  std::string problem;
  try {
    problem = body();
  } catch (const std::exception& e) {
    problem = e.what();
  }
  if (problem.empty()) {
    std::printf("  ok    %s\n", name.c_str());
  } else {
    ++failures();
    std::printf("  FAIL  %s\n        %s\n", name.c_str(), problem.c_str());
  }
}

// "" when |got - want| is tiny, else a message with both numbers.
inline std::string expect_near(const char* what, double got, double want, double tol = 1e-4) {
  if (std::abs(got - want) <= tol * std::max(1.0, std::abs(want))) return "";
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: got %.6f, expected %.6f", what, got, want);
  return buf;
}

// What the wrong entries of a gradient check have in common, when they share a pattern:
// the same sign error or the same factor everywhere points at one line of code.
inline std::string mismatch_pattern(const gradcheck::Report& r) {
  std::vector<double> ratios;
  bool all_zero = true;
  for (const auto& m : r.mismatches) {
    if (m.analytic != 0.0) all_zero = false;
    if (std::abs(m.numeric) > 1e-3) ratios.push_back(m.analytic / m.numeric);
  }
  if (all_zero) return "\n        every wrong entry is 0 in your backward: is a part skipped, or written to another tensor?";
  if (ratios.size() < 2) return "";
  const double first = ratios.front();
  for (double q : ratios)
    if (std::abs(q - first) > 0.02 * std::abs(first)) return "";
  char buf[200];
  if (std::abs(first + 1.0) < 0.02) return "\n        every wrong entry has the right size but the wrong sign: look for a flipped sign";
  std::snprintf(buf, sizeof buf,
                "\n        every wrong entry is %.4g times the right value: a factor is missing or extra "
                "(a mean's 1/N? alpha?)", first);
  return buf;
}

// Turns a gradient-check report into "" or a hint naming the first few wrong entries.
inline std::string gradients_match(const gradcheck::Report& r) {
  if (r.ok()) return "";
  if (r.checked == 0) return "nothing was checked: does forward fill y and backward fill dx?";
  std::string s = std::to_string(r.mismatches.size()) + " of " + std::to_string(r.checked) +
                  " gradient entries disagree with the finite-difference estimate, e.g.";
  for (size_t i = 0; i < r.mismatches.size() && i < 3; ++i) {
    char buf[160];
    const auto& m = r.mismatches[i];
    std::snprintf(buf, sizeof buf, "\n          %s[%zu]: your backward %.5f, nudging says %.5f", m.what.c_str(), m.index,
                  m.analytic, m.numeric);
    s += buf;
  }
  return s + mismatch_pattern(r);
}

// Said when training with the student's code goes wrong: the model around it trains fine
// with the library's own layers, so the fault is in that code, not in the learning rate
// that fit's generic advice (for a person's own model) suggests.
// `kind`: what the student wrote ("layer", "loss", "optimizer").
inline std::string training_failed(const std::string& what, const std::string& kind = "layer") {
  return what + "\n        This model trains fine with the library's own " + kind + "s, so look at your " + kind +
         ", not at the learning rate: fix the checks above that fail first (they test one part at a time; a "
         "wrong sign or factor, or adding where you should overwrite, makes the loss grow instead of shrink).";
}

// A training check: `train` returns the History of a short fit. It passes when the loss
// fell to less than half.
inline std::string loss_halves(const std::function<nn::History()>& train, const std::string& kind = "layer") {
  nn::History h;
  try {
    h = train();
  } catch (const nn::Error& e) {
    return training_failed(std::string("training failed: ") + e.what(), kind);
  }
  const auto& loss = h["loss"];
  if (!h.stop_reason.empty() || loss.empty()) return training_failed("training stopped: " + h.stop_reason, kind);
  if (loss.back() < 0.5f * loss.front()) return "";
  return training_failed("the loss went from " + std::to_string(loss.front()) + " only to " +
                         std::to_string(loss.back()) + ".", kind);
}

inline int finish(const char* title) {
  if (failures() == 0) {
    std::printf("All checks passed: %s works.\n", title);
    return 0;
  }
  std::printf("%d check(s) failed. Read the hints above, edit your file, and run `make exercise` again.\n", failures());
  return 1;
}

}  // namespace exercise
