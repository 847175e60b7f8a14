// ONNX export: take a trained model anywhere — onnxruntime (Python, C++, JavaScript, C#),
// TensorRT, OpenVINO, a browser, or Netron (netron.app) to look at the graph.
//
//   nn::export_onnx(model, "m.onnx");
//
// The file is an inference graph (opset 13) with the weights inside it:
//  * the model's inputs, named like its InputLayers ("input_1"), with the model's own layout
//    (N, H, W, C) or (N, D), where N is symbolic: any batch size runs;
//  * its outputs, named like the layers that compute them ("dense_2"), the shapes predict()
//    returns;
//  * every layer in inference form: Dropout is an Identity, BatchNormalization uses its
//    moving statistics. onnxruntime's predictions equal predict()'s to float rounding.
// ONNX's convolution and pooling want channels first (N, C, H, W), so the graph transposes
// the image before the first of them and back before Flatten or the output (Transpose
// nodes); in between, the values stay channels-first (their names end in
// "_channels_first"). Flatten therefore still sees (H, W, C) order, as the model's Dense
// weights expect.
//
// Graphs (model/graph.h) export as they run: every call of a layer is its own ONNX nodes,
// named after the layer ("dense") and, for a shared layer's later calls, the call
// ("dense/call_1"), all reading the layer's one copy of the weights. A nested model
// (decoder(encoder_output)) is written into the same graph, its layers under their own
// names, followed by an Identity named after it ("decoder"), so tutorial 11's autoencoder
// is one flat graph whose output is "decoder".
//
// What each layer becomes (ONNX operator names):
//   InputLayer          a graph input
//   Dense               Gemm (x·W + b), then its activation
//   Conv2D              Conv (kernel (kh, kw, C, F) stored as ONNX's (F, C, kh, kw), pads as
//                       TensorFlow's "same" computes them), then its activation
//   Activation          Relu, Sigmoid, Tanh, Softmax (over the channels), LeakyRelu (α 0.3);
//                       "linear" is an Identity
//   BatchNormalization  BatchNormalization (gamma, beta, moving mean and variance, epsilon)
//   LeakyReLU           LeakyRelu (the layer's alpha)
//   Dropout             Identity
//   MaxPooling2D        MaxPool (explicit pads, so "same" pads after the image when uneven)
//   Flatten             Flatten (axis 1)
//   Reshape             Reshape (from channels-last values)
//   UpSampling2D        Resize (nearest, in either layout)
//   Conv2DTranspose     ConvTranspose (Keras's crop as pads, or output_padding)
//   Add                 Add (two inputs) or Sum (more), every input in the first one's layout
//   Concatenate         Concat, every input in the first one's layout; Keras's axis (of the
//                       channels-last shape) mapped to where it is in that layout: the
//                       channels (-1) are axis 1 of a channels-first value
//   a nested model      its layers, then an Identity named after it
// Any other layer (your own, e.g. the exercises' PReLU) is an nn::Error naming it and its
// type; nothing is written then.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

namespace nn {

// Writes the model as an ONNX file, atomically (`<path>.tmp`, then rename), so a failed
// export leaves any earlier file at `path` as it was. The model must be built (an Input
// first, or one fit/predict for a Sequential without one).
void export_onnx(Model& model, const std::string& path);

// The bytes export_onnx writes.
std::vector<uint8_t> encode_onnx(Model& model);

}  // namespace nn
