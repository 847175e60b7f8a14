// Run-time CPU feature detection (see cpu.h).
//
// Two questions per instruction set:
//  1. Does the CPU implement it?  The CPUID instruction answers with feature bits.
//  2. Does the OS save its registers on a context switch?  The OS says which register
//     state it manages in the XCR0 register, read with XGETBV (only allowed when CPUID
//     reports OSXSAVE). A CPU with AVX-512 under an OS that does not save the 512-bit
//     registers must not use them.
// This file is compiled without -mavx: cpuid and xgetbv are ordinary instructions.
#include "kernels/cpu.h"

#include <atomic>
#include <cstdlib>

#include "tensor/error.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace nn {
namespace {

struct Features {
  bool avx2_fma = false;
  bool avx512 = false;  // F, DQ, BW, VL: what ukernel_avx512_*.cpp is compiled for
};

#if defined(__x86_64__)
unsigned long long read_xcr0() {
  unsigned eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Features detect() {
  Features f;
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool fma = ecx & (1u << 12), osxsave = ecx & (1u << 27), avx = ecx & (1u << 28);
  if (!(osxsave && avx)) return f;
  const unsigned long long xcr0 = read_xcr0();
  const bool os_ymm = (xcr0 & 0x6) == 0x6;     // SSE (bit 1) and AVX (bit 2) state
  const bool os_zmm = (xcr0 & 0xe6) == 0xe6;   // + opmask, upper halves of zmm0-15, zmm16-31
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16), avx512dq = ebx & (1u << 17);
  const bool avx512bw = ebx & (1u << 30), avx512vl = ebx & (1u << 31);
  f.avx2_fma = avx2 && fma && os_ymm;
  f.avx512 = f.avx2_fma && avx512f && avx512dq && avx512bw && avx512vl && os_zmm;
  return f;
}
#else
Features detect() { return {}; }  // not x86: only the portable kernel exists
#endif

const Features& features() {
  static const Features f = detect();
  return f;
}

constexpr int kUnset = -1;
std::atomic<int> g_level{kUnset};

}  // namespace

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::avx512: return "avx512";
    case SimdLevel::avx2: return "avx2";
    default: return "generic";
  }
}

SimdLevel parse_simd_level(const std::string& name) {
  for (SimdLevel l : {SimdLevel::generic, SimdLevel::avx2, SimdLevel::avx512})
    if (name == simd_level_name(l)) return l;
  throw Error("unknown SIMD level \"" + name + "\": expected avx512, avx2 or generic (check NN_SIMD)");
}

bool cpu_supports(SimdLevel level) {
  switch (level) {
    case SimdLevel::generic: return true;
    case SimdLevel::avx2: return features().avx2_fma;
    case SimdLevel::avx512: return features().avx512;
  }
  return false;
}

std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> levels;
  for (SimdLevel l : {SimdLevel::generic, SimdLevel::avx2, SimdLevel::avx512})
    if (cpu_supports(l)) levels.push_back(l);
  return levels;
}

SimdLevel best_simd_level() { return supported_simd_levels().back(); }

void set_simd_level(SimdLevel level) {
  if (!cpu_supports(level))
    throw Error(std::string("set_simd_level: this CPU (or its OS) does not support ") + simd_level_name(level) +
                "; supported here: " + [] {
                  std::string s;
                  for (SimdLevel l : supported_simd_levels()) s += (s.empty() ? "" : ", ") + std::string(simd_level_name(l));
                  return s;
                }());
  g_level.store(static_cast<int>(level));
}

SimdLevel get_simd_level() {
  int level = g_level.load(std::memory_order_relaxed);
  if (level != kUnset) return static_cast<SimdLevel>(level);
  SimdLevel chosen = best_simd_level();
  if (const char* env = std::getenv("NN_SIMD"); env && *env) {
    chosen = parse_simd_level(env);
    if (!cpu_supports(chosen))
      throw Error(std::string("NN_SIMD=") + env + " asks for an instruction set this CPU (or its OS) lacks; "
                  "use NN_SIMD=" + simd_level_name(best_simd_level()) + " or unset it");
  }
  g_level.store(static_cast<int>(chosen));
  return chosen;
}

}  // namespace nn
