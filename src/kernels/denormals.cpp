#include "kernels/denormals.h"

#include <atomic>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define NN_HAVE_MXCSR 1
#endif

namespace nn {
namespace {

std::atomic<bool> g_flush{true};

#ifdef NN_HAVE_MXCSR
constexpr unsigned kFlushToZero = 0x8000;       // MXCSR bit 15: subnormal results become 0
constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR bit 6: subnormal inputs read as 0
constexpr unsigned kBoth = kFlushToZero | kDenormalsAreZero;
#endif

}  // namespace

void set_flush_denormals(bool on) { g_flush.store(on, std::memory_order_relaxed); }
bool flush_denormals() { return g_flush.load(std::memory_order_relaxed); }

unsigned denormal_mode() {
#ifdef NN_HAVE_MXCSR
  return _mm_getcsr() & kBoth;
#else
  return 0;
#endif
}

void set_denormal_mode(unsigned mode) {
#ifdef NN_HAVE_MXCSR
  _mm_setcsr((_mm_getcsr() & ~kBoth) | (mode & kBoth));
#else
  (void)mode;
#endif
}

FlushDenormalsScope::FlushDenormalsScope() : previous_(denormal_mode()) {
#ifdef NN_HAVE_MXCSR
  if (flush_denormals()) set_denormal_mode(kBoth);
#endif
}

FlushDenormalsScope::~FlushDenormalsScope() { set_denormal_mode(previous_); }

}  // namespace nn
