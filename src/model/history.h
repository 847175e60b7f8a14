// What fit() returns: one list of numbers per logged quantity, one entry per epoch, as
// Keras's History.history: h.history["loss"], h.history["val_accuracy"], ...
#pragma once
#include <map>
#include <string>
#include <vector>

namespace nn {

using Logs = std::map<std::string, float>;  // e.g. {"loss": 0.41, "accuracy": 0.86}

struct History {
  std::map<std::string, std::vector<float>> history;
  std::string stop_reason;  // empty when every epoch ran; else why fit stopped early

  int epochs() const { return history.empty() ? 0 : static_cast<int>(history.begin()->second.size()); }
  // h["loss"]; an unknown key is an nn::Error that lists the known ones.
  const std::vector<float>& operator[](const std::string& key) const;
  void append(const Logs& logs);
};

}  // namespace nn
