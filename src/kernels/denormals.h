// Denormal (subnormal) numbers: floats below 1.2e-38, where the exponent has run out and
// precision fades bit by bit down to 1.4e-45. Arithmetic on them is many times slower on
// x86 (a microcode assist per operation), and training makes them: when a unit dies, its
// weight gradients are exactly zero, and Adam's first moment m decays by β₁ = 0.9 a step
// until it crawls through the subnormal range. Such tiny numbers change nothing a network
// computes, so, like torch.set_flush_denormal(True), the library flushes them to zero while
// it trains and predicts: results that would be subnormal become 0 (FTZ), and subnormal
// inputs are read as 0 (DAZ).
//
// The mode belongs to a thread (x86's MXCSR register). Model::fit, train_on_batch,
// evaluate and predict set it on the calling thread for their duration
// (FlushDenormalsScope), and the thread pool gives every job's workers the mode of the
// thread that submitted it, so a result never depends on which thread computed it: the
// same numbers for any thread count, with flushing on or off.
//
// Off x86 these do nothing (the mode reads as 0).
#pragma once

namespace nn {

// The library's switch, on by default; off keeps IEEE subnormals everywhere.
void set_flush_denormals(bool on);
bool flush_denormals();

// The calling thread's flush-to-zero / denormals-are-zero bits, and setting them.
unsigned denormal_mode();
void set_denormal_mode(unsigned mode);

// For a scope: flushing on for the calling thread when flush_denormals() says so, and the
// thread's previous mode back at the end.
class FlushDenormalsScope {
 public:
  FlushDenormalsScope();
  ~FlushDenormalsScope();
  FlushDenormalsScope(const FlushDenormalsScope&) = delete;
  FlushDenormalsScope& operator=(const FlushDenormalsScope&) = delete;

 private:
  unsigned previous_;
};

}  // namespace nn
