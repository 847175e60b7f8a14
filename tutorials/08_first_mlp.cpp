// 08 — Your first multilayer perceptron, end to end (this is `make run`)
//
// The chapter's whole pipeline, in the order the book writes it:
//   1. load the data                         (x_train, y_train, x_test, y_test)
//   2. prepare it: pixels / 255, labels one-hot
//   3. build the model                       Input -> Flatten -> Dense 200 relu -> Dense 150 relu -> Dense 10 softmax
//   4. compile: loss, optimizer, metric      categorical cross-entropy, Adam(0.0005), accuracy
//   5. fit: 10 epochs, batches of 32, shuffled, with Keras's progress bar
//   6. evaluate on images it has never seen
//   7. look at its predictions: ten test images, a confusion matrix, the training curves
//   8. keep it: save the whole model, load it back, export it as ONNX for other tools
// It runs on the best data set on this machine: CIFAR-10 (the book's), else Fashion-MNIST
// (on Debian, the dataset-fashion-mnist package is used without network or sudo), else the
// built-in synthetic shapes — and says which.
//
// Where this lives in the library:
//   loading      nn::data::load_cifar10 / load_fashion_mnist (src/data/), to_categorical
//   the model    layers::Input, Flatten, Dense (src/layers/), nn::Model (src/model/model.h)
//   training     Model::fit in src/model/fit.cpp: shuffle, gather a batch, train_step
//   one step     Model::train_step in src/model/model.cpp: forward, loss, backward, Adam
//   pictures     nn::viz::ImageGrid, save_confusion_matrix, LineChart (src/viz/)
//   keeping it   Model::save, nn::load_model (src/model/model_file.h), nn::export_onnx
//                (src/model/onnx_export.h)
//
// Expected output (Fashion-MNIST): the first label as a one-hot row (9 becomes a 1 at
// position 9); the summary with 188,660 parameters, and why it is not the book's 646,260
// (28×28×1 images give 784 inputs, CIFAR-10's 32×32×3 give 3072: 200 × (3072 + 1) = 614,600
// weights in the first layer alone); ten progress bars, the last at a training accuracy of
// 0.9168; then a test accuracy of 0.8924 (on CIFAR-10 ~0.48; the book reports 0.4781) and ten
// test images, 10 of these 10 right. Pictures in out/08_predictions.svg, out/08_confusion.svg,
// out/08_training.svg. Last, the model saved whole (out/08_mlp.nnz) and loaded back, predicting
// bit for bit the same, and exported as ONNX (out/08_mlp.onnx) with how to open it in Netron and
// run it in onnxruntime. On 2 cores an epoch takes ~1 s on Fashion-MNIST, a few on CIFAR-10.
// --quick: 3,000 training images, 2 epochs, pictures in out/quick/.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "nn.h"
#include "tutorial.h"
#include "tutorial_data.h"

namespace L = nn::layers;
using nn::Tensor;

int main(int argc, char** argv) {
  auto args = tutorial::parse_args(argc, argv);
  nn::set_seed(42);
  const int epochs = args.quick ? 2 : 10;

  tutorial::section(args, 1, "Load the data");
  tutorial::Data data = tutorial::load_best_data(true, args.quick ? 3000 : 0, args.quick ? 1000 : 0);
  auto& [x_train, y_train_ids, x_test, y_test_ids] = data.split;
  std::printf("  %s\n  x_train %s   y_train %s\n  x_test  %s   y_test  %s\n", data.title.c_str(),
              nn::shape_str(x_train.shape()).c_str(), nn::shape_str(y_train_ids.shape()).c_str(),
              nn::shape_str(x_test.shape()).c_str(), nn::shape_str(y_test_ids.shape()).c_str());

  tutorial::section(args, 2, "Prepare it: scale pixels to 0..1, one-hot the labels");
  // Networks train best on small inputs; 0..255 would make the first steps far too large.
  for (float& v : x_train) v /= 255.0f;
  for (float& v : x_test) v /= 255.0f;
  const int num_classes = 10;
  Tensor y_train = nn::data::to_categorical(y_train_ids, num_classes);
  Tensor y_test = nn::data::to_categorical(y_test_ids, num_classes);
  // One-hot: a row of ten numbers, 1 at the position of the class and 0 everywhere else,
  // which is what the softmax output is compared with.
  const int first_label = static_cast<int>(y_train_ids[0]);
  std::printf("  label %d (%s) becomes [", first_label, data.class_names[first_label].c_str());
  for (int c = 0; c < num_classes; ++c) std::printf(c ? " %g" : "%g", y_train[c]);
  std::printf("]: a 1 at position %d\n", first_label);

  tutorial::section(args, 3, "Build the model");
  nn::Shape image_shape(x_train.shape().begin() + 1, x_train.shape().end());
  nn::Node input_layer = L::Input(image_shape);
  nn::Node x = L::Flatten()(input_layer);
  x = L::Dense(200, "relu")(x);
  x = L::Dense(150, "relu")(x);
  nn::Node output_layer = L::Dense(10, "softmax")(x);
  nn::Model model(input_layer, output_layer);
  model.summary();
  // The count depends on the images: Flatten makes one input per number in an image, and
  // the first Dense layer has a weight for every (input, unit) pair, plus a bias per unit.
  auto count = [](int inputs) { return 200 * (inputs + 1) + 150 * (200 + 1) + 10 * (150 + 1); };
  int inputs = 1;
  for (int d : image_shape) inputs *= d;
  std::printf("  units × (inputs + 1), layer by layer: 200 × (%d + 1) + 150 × (200 + 1) + 10 × (150 + 1) = %s\n",
              inputs, tutorial::with_commas(count(inputs)).c_str());
  if (data.name != "cifar10")
    std::printf("  The book's model has %s parameters because CIFAR-10's 32×32×3 images give 3072 inputs:\n"
                "  200 × (3072 + 1) = %s weights in the first layer alone. These images give %d inputs, so\n"
                "  the same layers have %s. The rest of the network is the same.\n",
                tutorial::with_commas(count(3072)).c_str(), tutorial::with_commas(200 * 3073).c_str(), inputs,
                tutorial::with_commas(count(inputs)).c_str());

  tutorial::section(args, 4, "Compile: the loss to minimise, the optimizer, what to report");
  model.compile(nn::losses::CategoricalCrossentropy(), nn::optimizers::Adam(0.0005f), {"accuracy"});
  std::printf("  loss: categorical cross-entropy, optimizer: Adam(learning_rate=0.0005), metric: accuracy\n");

  tutorial::section(args, 5, "Train");
  const auto t0 = std::chrono::steady_clock::now();
  nn::History history = model.fit(x_train, y_train, {.batch_size = 32, .epochs = epochs, .shuffle = true});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("  %d epochs in %.1f s (%.2f s per epoch)\n", history.epochs(), seconds, seconds / epochs);
  std::printf("  loss per epoch: %s\n", nn::viz::sparkline(history["loss"]).c_str());

  tutorial::section(args, 6, "Evaluate on the test set");
  std::vector<float> result = model.evaluate(x_test, y_test);
  std::printf("  test loss %.4f, test accuracy %.4f (chance: 0.10)\n", result[0], result[1]);
  std::printf("  (the book reports 0.4781 for this model on CIFAR-10: small colour photos of ten kinds\n"
              "  of object are much harder to tell apart pixel by pixel than clothes on a plain background)\n");

  tutorial::section(args, 7, "Look at the predictions");
  Tensor probs = model.predict(x_test);
  Tensor predicted({probs.dim(0)});
  for (int i = 0; i < probs.dim(0); ++i) {
    const float* row = probs.data() + static_cast<size_t>(i) * num_classes;
    predicted[i] = static_cast<float>(std::max_element(row, row + num_classes) - row);
  }
  // Like the chapter's figure: ten test images with the predicted and actual class.
  nn::viz::ImageGrid grid({.columns = 10, .scale = 3, .lo = 0, .hi = 1, .title = "Test images: prediction / truth"});
  int right = 0;
  for (int i = 0; i < 10; ++i) {
    const int p = static_cast<int>(predicted[i]), a = static_cast<int>(y_test_ids[i]);
    Tensor image = x_test.slice_rows(i, i + 1);
    image.reshape(image_shape);
    grid.add(image, "pred = " + data.class_names[p] + "\nact = " + data.class_names[a], p == a ? "#2a7" : "#c33");
    std::printf("  image %d: pred = %-12s act = %-12s %s\n", i, data.class_names[p].c_str(), data.class_names[a].c_str(),
                p == a ? "" : "(wrong)");
    right += p == a;
  }
  std::printf("  %d of these 10 right\n", right);
  const std::string predictions = tutorial::out_path(args, "08_predictions.svg"),
                    confusion = tutorial::out_path(args, "08_confusion.svg"),
                    training = tutorial::out_path(args, "08_training.svg"),
                    weights = tutorial::out_path(args, "08_mlp_weights.npz");
  grid.save(predictions);
  Tensor counts = nn::viz::confusion_matrix(y_test_ids, predicted, num_classes);
  nn::viz::save_confusion_matrix(confusion, counts, data.class_names,
                                 "Confusion matrix (rows: true class, columns: predicted)");
  nn::viz::LineChart chart("Training");
  chart.x_label("epoch").y_label("value").whole_x();
  std::vector<double> ep;
  for (int e = 1; e <= history.epochs(); ++e) ep.push_back(e);
  chart.add_series("loss", ep, history["loss"], {.markers = true});
  chart.add_series("accuracy", ep, history["accuracy"], {.markers = true});
  chart.save(training);
  model.save_weights(weights);
  std::printf("  pictures: %s, %s, %s\n  weights:  %s (numpy.load opens it)\n", predictions.c_str(),
              confusion.c_str(), training.c_str(), weights.c_str());

  tutorial::section(args, 8, "Keep the model, and take it elsewhere");
  // model.save writes the architecture (config.json, readable) and the weights in one zip;
  // nn::load_model rebuilds the model from it, with no code that describes the layers.
  const std::string model_file = tutorial::out_path(args, "08_mlp.nnz"),
                    onnx_file = tutorial::out_path(args, "08_mlp.onnx");
  model.save(model_file);
  std::unique_ptr<nn::Model> loaded = nn::load_model(model_file);
  Tensor probs_again = loaded->predict(x_test);
  const bool same = probs_again.shape() == probs.shape() &&
                    std::equal(probs.begin(), probs.end(), probs_again.begin());
  std::printf("  saved %s; nn::load_model(\"%s\") predicts the %d test images %s\n", model_file.c_str(),
              model_file.c_str(), probs.dim(0), same ? "bit for bit the same" : "DIFFERENTLY (a bug)");
  // ONNX is the exchange format other tools read: the same network, as a graph of standard
  // operators (Flatten, Gemm, Relu, Softmax) with the weights inside.
  nn::export_onnx(model, onnx_file);
  std::printf("  exported %s (ONNX, opset 13). To look at it, open it in Netron (netron.app, or\n"
              "  `pip install netron; netron %s`): the boxes are the layers above. To run it\n"
              "  without nnscratch, in Python with onnxruntime:\n"
              "    import numpy, onnxruntime\n"
              "    session = onnxruntime.InferenceSession(\"%s\")\n"
              "    probs = session.run(None, {\"%s\": images.astype(numpy.float32)})[0]  # images: (N, %s)\n"
              "  (or onnxruntime-node in JavaScript). Its probabilities equal predict()'s to within 1e-5\n"
              "  (tests/test_onnx_tools.cpp checks exactly that, for this model and the CNN).\n",
              onnx_file.c_str(), onnx_file.c_str(), onnx_file.c_str(), model.layers()[0]->name().c_str(),
              nn::shape_str(image_shape).substr(1, nn::shape_str(image_shape).size() - 2).c_str());
  // Where to go from here: the same pieces, put to other uses.
  std::printf("\n  Next: tutorial 09 replaces this MLP with the chapter's convolutional network, and\n"
              "  tutorial 11 uses the same pieces (layers, a loss, backpropagation, Adam) for a network\n"
              "  that draws instead of sorting: an autoencoder, the first model of the book's chapter 3.\n");
  return !same;
}
