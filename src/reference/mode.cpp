#include "reference/mode.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace nn {
namespace {

// NN_REFERENCE=1 (any value but "" and "0") turns reference mode on from the start.
bool from_environment() {
  const char* v = std::getenv("NN_REFERENCE");
  return v && *v && std::strcmp(v, "0") != 0;
}

// A function-local static: initialised on first use, so it is set however early a
// static initialiser elsewhere asks.
std::atomic<bool>& flag() {
  static std::atomic<bool> on{from_environment()};
  return on;
}

}  // namespace

void set_reference_mode(bool on) { flag().store(on, std::memory_order_relaxed); }
bool reference_mode() { return flag().load(std::memory_order_relaxed); }

}  // namespace nn
