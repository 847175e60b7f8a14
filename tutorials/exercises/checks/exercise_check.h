// A tiny checking harness for the exercises: each check prints a line with what it tested
// and, when it fails, what to look at. Your stub throws "not implemented yet" until you
// fill it in; that is reported as such, not as a crash.
#pragma once
#include <cstdio>
#include <exception>
#include <functional>
#include <string>

#include "gradcheck_core.h"
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
  return s;
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
