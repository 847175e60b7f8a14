#include "model/history.h"

#include "tensor/error.h"

namespace nn {

const std::vector<float>& History::operator[](const std::string& key) const {
  auto it = history.find(key);
  if (it == history.end()) {
    std::string known;
    for (auto& [k, v] : history) known += (known.empty() ? "" : ", ") + k;
    throw Error("History has no \"" + key + "\"; it has: " + (known.empty() ? "nothing (no epoch ran)" : known));
  }
  return it->second;
}

void History::append(const Logs& logs) {
  for (auto& [k, v] : logs) history[k].push_back(v);
}

}  // namespace nn
