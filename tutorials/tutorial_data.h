// Picks the best data set already on this machine, for the tutorials that train.
//
//   CIFAR-10        datasets/cifar-10-batches-bin   (the chapter's data; `make data NAME=cifar10`)
//   Fashion-MNIST   datasets/fashion-mnist          (`make data NAME=fashion-mnist`; on Debian,
//                                                    the dataset-fashion-mnist package is used
//                                                    without network: datasets/fetch --local)
//   shapes          built in, generated on the spot (always there)
//
// It says which one it chose and how to get the others, so a student is never confused
// about what the numbers were measured on. NN_TUTORIAL_DATA=cifar10, fashion-mnist or
// shapes picks one instead (make test uses it to compare a run with its recorded output,
// tutorials/expected/); a data set that is not on this machine is then an error.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "nn.h"

namespace tutorial {

struct Data {
  std::string name;   // "cifar10", "fashion-mnist" or "shapes"
  std::string title;  // for people: "Fashion-MNIST (real photos of clothes, 28×28 grey)"
  nn::data::Split split;
  std::vector<std::string> class_names;
};

// Keeps only the first `n` rows (0 = all) — for --quick runs.
inline void keep_first(nn::Tensor& t, int n) {
  if (n > 0 && t.dim(0) > n) t = t.slice_rows(0, n);
}

// allow_cifar = false prefers the smaller 28×28 images even when CIFAR-10 is present
// (tutorials that train many models and must stay quick). The shapes fallback is grey
// 28×28 by default: a plain MLP learns those, while colour shapes on colour backgrounds
// need the convolutional network of tutorial 09 (which asks for {32, 3}).
inline Data load_best_data(bool allow_cifar, int max_train = 0, int max_test = 0,
                           nn::data::ShapesOptions shapes = {.size = 28, .channels = 1}) {
  namespace fs = std::filesystem;
  Data d;
  const bool have_cifar = fs::exists("datasets/cifar-10-batches-bin/data_batch_1.bin");
  // Debian's package can be decompressed without network or sudo; the script does nothing
  // when there is nothing to do.
  if (!fs::exists("datasets/fashion-mnist/train-images-idx3-ubyte") && fs::exists("datasets/fetch") &&
      fs::exists("/usr/share/datasets/fashion-mnist"))
    (void)std::system("bash datasets/fetch --local fashion-mnist >/dev/null 2>&1");
  const bool have_fashion = fs::exists("datasets/fashion-mnist/train-images-idx3-ubyte");
  const char* env = std::getenv("NN_TUTORIAL_DATA");
  const std::string wanted = env ? env : "";
  if (!wanted.empty()) {
    const bool known = wanted == "cifar10" || wanted == "fashion-mnist" || wanted == "shapes";
    const char* problem = !known                               ? "is not one of cifar10, fashion-mnist, shapes"
                          : wanted == "cifar10" && !allow_cifar ? "is not used here: this tutorial takes 28×28 images"
                          : wanted == "cifar10" && !have_cifar  ? "is not in datasets/ (make data NAME=cifar10)"
                          : wanted == "fashion-mnist" && !have_fashion
                              ? "is not in datasets/ (make data NAME=fashion-mnist)"
                              : nullptr;
    if (problem) {
      std::fprintf(stderr, "NN_TUTORIAL_DATA=%s: that data set %s\n", wanted.c_str(), problem);
      std::exit(2);
    }
  }
  try {
    if (wanted == "cifar10" || (wanted.empty() && allow_cifar && have_cifar)) {
      d = {"cifar10", "CIFAR-10 (real photos, 32×32 colour)", nn::data::load_cifar10(), {}};
    } else if (wanted == "fashion-mnist" || (wanted.empty() && have_fashion)) {
      d = {"fashion-mnist", "Fashion-MNIST (real photos of clothes, 28×28 grey)", nn::data::load_fashion_mnist(), {}};
    }
  } catch (const nn::Error& e) {
    if (!wanted.empty()) throw;
    std::printf("note: could not load a real data set (%s); using the built-in shapes instead\n", e.what());
    d = {};
  }
  if (d.name.empty()) {
    const int n_train = max_train > 0 ? max_train : 50000, n_test = max_test > 0 ? max_test : 10000;
    d = {"shapes", "shapes (built-in synthetic images)", nn::data::load_shapes(n_train, n_test, 1, shapes), {}};
    std::printf("note: no real data set found, so this runs on the built-in synthetic 'shapes' images.\n"
                "      For the chapter's data run `make data NAME=cifar10` (or NAME=fashion-mnist), then run again.\n");
  } else if (d.name != "cifar10") {
    std::printf("note: using %s. `make data NAME=cifar10` fetches the chapter's CIFAR-10%s.\n", d.title.c_str(),
                allow_cifar ? "" : " (used by tutorials 08 and 09)");
  }
  d.class_names = nn::data::class_names(d.name);
  keep_first(d.split.x_train, max_train);
  keep_first(d.split.y_train, max_train);
  keep_first(d.split.x_test, max_test);
  keep_first(d.split.y_test, max_test);
  return d;
}

}  // namespace tutorial
