// doctest wrappers around gradcheck_core.h: each mismatch becomes a failed CHECK that
// prints the analytic and numerical values.
#pragma once
#include <doctest/doctest.h>

#include "gradcheck_core.h"

namespace gradcheck {

inline void expect_ok(const Report& report, const std::string& who) {
  CHECK_MESSAGE(report.checked > 0, who, ": nothing was checked");
  for (const Mismatch& m : report.mismatches)
    CHECK_MESSAGE(false, who, " ", m.what, "[", m.index, "]: analytic ", m.analytic, " numeric ", m.numeric);
}

inline void check_layer(nn::Layer& layer, const nn::Tensor& x, uint64_t seed, bool training = true) {
  expect_ok(layer_report(layer, x, seed, training), layer.type());
}

inline void check_loss(const nn::losses::Loss& loss, const nn::Tensor& y_pred, const nn::Tensor& y_true) {
  expect_ok(loss_report(loss, y_pred, y_true), loss.name());
}

}  // namespace gradcheck
