// nn.h — everything a tutorial or a program needs from nnscratch.
// Compile with -Isrc and link build/libnn.a -pthread.
#pragma once

#include "kernels/thread_pool.h"
#include "tensor/error.h"
#include "tensor/rng.h"
#include "tensor/shape.h"
#include "tensor/tensor.h"
#include "kernels/gemm.h"
#include "data/preprocessing.h"
#include "tensor/crc32.h"
#include "tensor/file_io.h"
#include "model/npy.h"
#include "model/npz.h"
#include "viz/png.h"
#include "viz/svg_chart.h"
#include "viz/image_grid.h"
#include "viz/confusion_matrix.h"
#include "viz/terminal.h"
