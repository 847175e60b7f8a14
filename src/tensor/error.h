// nn::Error — the one exception type the library throws for bad input.
//
// Every message should answer three questions: what was expected, what was found,
// and what to do about it. `make_error` helps keep that shape.
#pragma once
#include <stdexcept>
#include <string>

namespace nn {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Raised when a shape does not fit (wrong rank, sizes that disagree).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// Raised for files: missing, truncated, corrupt, or unwritable.
class IoError : public Error {
 public:
  using Error::Error;
};

// Raised when a numeric value is unusable (NaN loss, negative rate, ...).
class ValueError : public Error {
 public:
  using Error::Error;
};

}  // namespace nn
