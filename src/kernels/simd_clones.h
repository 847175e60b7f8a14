// NN_SIMD_CLONES — put it in front of a small hot loop function to have g++ compile it three
// times (AVX-512, AVX2, plain x86-64) and pick the best one the CPU has when the program
// loads (an ifunc). The default build thus still runs on any x86-64 CPU while element-wise
// passes run at memory speed on a modern one. Nothing happens off x86-64, and nothing
// under ThreadSanitizer: the chooser runs while the program is being loaded, before TSan
// has started, and TSan's instrumentation in it crashes the program before main.
#pragma once

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
#define NN_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NN_SIMD_CLONES
#endif
