// Reference mode: run the plain path.
//
// Every layer, loss and optimizer has two ways to compute the same numbers:
//   the fast path       the kernels in src/kernels/ (blocked, SIMD, threaded, fused)
//   the reference path  the functions in src/reference/: the formula written as plain loops,
//                       one idea per function, on one thread, with no fusion of layers
// Reference mode makes every layer, loss and optimizer take the reference path, so a
// debugger steps from Model::fit down into loops that read like the maths. The results
// agree with the fast path to float rounding (tests/test_reference.cpp checks it), and the
// random streams are the same (Dropout masks, shuffling), so a run in reference mode tells
// the same story, only slower.
//
//   nn::set_reference_mode(true);       // from the program, or
//   NN_REFERENCE=1 ./build/tutorials/09_cnn   // from the environment, read at start-up
#pragma once

namespace nn {

void set_reference_mode(bool on);
bool reference_mode();

}  // namespace nn
