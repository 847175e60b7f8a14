// The confusion matrix: for every actual class (row), how often the model predicted each
// class (column). The diagonal holds the correct answers; a dark cell off the diagonal
// shows which two classes the model mixes up (for Fashion-MNIST: shirt vs T-shirt).
//
//   nn::Tensor counts = nn::viz::confusion_matrix(y_test, model.predict(x_test), 10);
//   nn::viz::save_confusion_matrix("out/confusion.svg", counts, nn::data::class_names("fashion-mnist"));
#pragma once
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace nn::viz {

// actual:    (N) class ids, or (N, K) one-hot rows.
// predicted: (N) class ids, or (N, K) scores/probabilities (the largest one wins).
// Returns (K, K) counts: element (a, p) = how many examples of class a were predicted as p.
// Throws ShapeError when N or K disagree, ValueError for an id outside 0..K-1.
Tensor confusion_matrix(const Tensor& actual, const Tensor& predicted, int num_classes);

// counts: (K, K) as above. class_names: K names, or empty for "0", "1", ...
// Each cell shows its count; its shade is the count divided by its row's total (the share
// of that actual class), so rare classes are as readable as common ones.
std::string confusion_matrix_svg(const Tensor& counts, const std::vector<std::string>& class_names = {},
                                 const std::string& title = "Confusion matrix");
void save_confusion_matrix(const std::string& path, const Tensor& counts,
                           const std::vector<std::string>& class_names = {},
                           const std::string& title = "Confusion matrix");

}  // namespace nn::viz
