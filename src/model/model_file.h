// Whole models in one file: model.save and nn::load_model (Keras's names).
//
//   model.save("out/mlp.nnz");                            // architecture + weights
//   model.save("out/mlp.nnz", {.include_optimizer = true});  // + how it was compiled, the
//                                                         //   optimizer's state, Dropout's generators
//   std::unique_ptr<nn::Model> back = nn::load_model("out/mlp.nnz");
//   back->predict(x);                                     // bit-identical to model.predict(x)
//
// save_weights keeps only the numbers, so loading them needs the same model built in code
// first. A model file also keeps the architecture, so load_model builds the model itself.
//
// The file, like Keras's .keras, is a zip (uncompressed, fixed timestamps, written to a
// temporary name and renamed, as every file nnscratch writes):
//   config.json          the architecture, readable JSON (model/model_config.h shows it):
//                        the model's class and name, and every layer's class, name,
//                        constructor arguments and inputs; a nested model (decoder(x),
//                        model/nested_model.h) is one layer holding its own architecture,
//                        as Keras writes it, and comes back as that layer: get_layer("decoder")
//   <layer>/<param>.npy  the weights, exactly as save_weights writes them
//   checkpoint/...       with include_optimizer: the optimizer's and Dropout's state (nested
//                        models' too), the same entries a checkpoint has (model/training_state.h)
// So numpy.load("mlp.nnz") opens the weights (np.load(f)["dense/kernel"]), `unzip -p
// mlp.nnz config.json` prints the architecture, and load_weights reads a model file too.
//
// With include_optimizer, config.json also records the loss, the metrics and the optimizer
// with its settings, and load_model returns the model compiled and ready to go on
// training: the next steps are the ones the saved model would have taken (shuffling in fit
// draws from nn::set_seed's generator or FitOptions::seed, which the file does not hold).
// Without it, the loaded model is not compiled; compile it to train it.
//
// A layer class of your own is saved through its get_config and found again by the name
// it was registered under (layers/layer_registry.h):
//   nn::register_layer<PReLU>("PReLU");
//
// Loading checks everything before it returns: an unknown layer class, a config.json that
// is not valid or does not describe a model, a missing or misshapen weight, or a damaged zip
// is an nn::IoError naming the file and the problem, and no model is returned. Building the
// layers draws initial weights (which the file's then replace); load_model puts
// nn::set_seed's generator back where it was, so a program's random stream is the same
// with or without loading a model.
#pragma once
#include <memory>
#include <string>

#include "model/model.h"

namespace nn {

std::unique_ptr<Model> load_model(const std::string& path);

}  // namespace nn
