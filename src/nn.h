// nn.h — everything a tutorial or a program needs from nnscratch.
// Compile with -Isrc and link build/libnn.a -pthread.
#pragma once

#include "kernels/thread_pool.h"
#include "tensor/error.h"
#include "tensor/rng.h"
#include "tensor/shape.h"
#include "tensor/tensor.h"
#include "kernels/cpu.h"
#include "kernels/gemm.h"
#include "data/preprocessing.h"
