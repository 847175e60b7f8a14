// Which SIMD instruction set the matrix multiply runs on.
//
// The library is compiled for plain x86-64 (or whatever the target is), so it runs on any
// CPU. Only the micro-kernel files are compiled for AVX2 or AVX-512, and one of them is
// chosen here at run time: the best one that both the CPU and the operating system
// support (the OS must save the wider registers on a context switch, or a program that
// uses them would see its numbers corrupted).
//
// NN_SIMD=avx512|avx2|generic in the environment forces a level, e.g. to compare kernels
// or to rule one out when hunting a bug; set_simd_level does the same from code (tests
// use it to run every kernel the machine has). Asking for a level the CPU lacks is an
// nn::Error, never a crash with "illegal instruction".
#pragma once
#include <string>
#include <vector>

namespace nn {

enum class SimdLevel { generic = 0, avx2 = 1, avx512 = 2 };

const char* simd_level_name(SimdLevel level);          // "generic", "avx2", "avx512"
SimdLevel parse_simd_level(const std::string& name);   // inverse of simd_level_name; nn::Error if unknown

// True when the kernel for `level` is compiled into this build, the CPU has the
// instructions and the OS saves their registers. generic is always supported.
bool cpu_supports(SimdLevel level);
std::vector<SimdLevel> supported_simd_levels();  // ascending, generic first
SimdLevel best_simd_level();

// The level sgemm uses now: the last set_simd_level, else NN_SIMD, else the best.
SimdLevel get_simd_level();
void set_simd_level(SimdLevel level);  // nn::Error if !cpu_supports(level)

}  // namespace nn
