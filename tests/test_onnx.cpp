// ONNX export, without outside tools: the protobuf bytes by hand, the graph of the
// chapter's networks read back with a small protobuf reader written here (independent of
// the library's writer), and the errors. tests/test_onnx_tools.cpp checks the exported
// files with onnx's checker and runs them in onnxruntime.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "model/onnx_proto.h"
#include "nn.h"
#include "onnx/export_models.h"
#include "test_util.h"

namespace fs = std::filesystem;
namespace L = nn::layers;

namespace {

// ---- a protobuf reader just big enough to look inside what we wrote

struct Field {
  int number = 0;
  uint64_t varint = 0;  // wire types 0 and 5 (a 32-bit value, zero-extended)
  std::string bytes;    // wire type 2: a string, raw bytes or a nested message
};

uint64_t read_varint(const std::string& s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; pos < s.size() && shift < 64; shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s[pos++]);
    v |= uint64_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) return v;
  }
  FAIL("truncated varint");
  return 0;
}

// Every field of one message, in order.
std::vector<Field> fields(const std::string& message) {
  std::vector<Field> out;
  size_t pos = 0;
  while (pos < message.size()) {
    const uint64_t key = read_varint(message, pos);
    Field f;
    f.number = static_cast<int>(key >> 3);
    switch (key & 7) {
      case 0: f.varint = read_varint(message, pos); break;
      case 2: {
        const uint64_t n = read_varint(message, pos);
        REQUIRE(pos + n <= message.size());
        f.bytes = message.substr(pos, n);
        pos += n;
        break;
      }
      case 5:
        REQUIRE(pos + 4 <= message.size());
        for (int i = 0; i < 4; ++i) f.varint |= uint64_t{static_cast<uint8_t>(message[pos + i])} << (8 * i);
        pos += 4;
        break;
      default: FAIL("unexpected wire type " << (key & 7));
    }
    out.push_back(f);
  }
  return out;
}

std::vector<Field> all(const std::string& message, int number) {
  std::vector<Field> out;
  for (Field& f : fields(message))
    if (f.number == number) out.push_back(f);
  return out;
}
Field one(const std::string& message, int number) {
  std::vector<Field> f = all(message, number);
  REQUIRE_MESSAGE(f.size() == 1, "field " << number << " appears " << f.size() << " times");
  return f[0];
}

// GraphProto fields (onnx.proto): 1 node, 5 initializer, 11 input, 12 output.
// NodeProto: 1 input, 2 output, 4 op_type, 5 attribute. AttributeProto: 1 name, 8 ints.
std::vector<std::string> op_types(const std::string& graph) {
  std::vector<std::string> ops;
  for (const Field& node : all(graph, 1)) ops.push_back(one(node.bytes, 4).bytes);
  return ops;
}
std::vector<int64_t> ints_attribute(const std::string& node, const std::string& name) {
  for (const Field& a : all(node, 5))
    if (one(a.bytes, 1).bytes == name) {
      std::vector<int64_t> v;
      for (const Field& i : all(a.bytes, 8)) v.push_back(static_cast<int64_t>(i.varint));
      return v;
    }
  FAIL("no attribute " << name);
  return {};
}
// A graph input's or output's dims: ValueInfoProto 2 type → TypeProto 1 tensor_type →
// 2 shape → 1 dim → 1 dim_value or 2 dim_param.
std::vector<std::string> value_dims(const std::string& value_info) {
  const std::string shape = one(one(one(value_info, 2).bytes, 1).bytes, 2).bytes;
  std::vector<std::string> dims;
  for (const Field& d : all(shape, 1)) {
    const Field v = fields(d.bytes).at(0);
    dims.push_back(v.number == 2 ? v.bytes : std::to_string(v.varint));
  }
  return dims;
}
// TensorProto: 1 dims, 8 name, 9 raw_data (little-endian float32). Points into `inits`.
const Field* initializer(const std::vector<Field>& inits, const std::string& name) {
  for (const Field& t : inits)
    if (one(t.bytes, 8).bytes == name) return &t;
  return nullptr;
}

std::string bytes_of(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }
std::string graph_of(nn::Model& model) { return one(bytes_of(nn::encode_onnx(model)), 7).bytes; }

// A layer of the reader's own, which ONNX export knows nothing about.
class Doubler : public nn::LayerBase<Doubler> {
 public:
  Doubler() : LayerBase("doubler") {}
  nn::Shape build(const nn::Shape& in) override { return in; }
  void forward(const nn::Tensor& x, nn::Tensor& y, bool) override {
    y.resize(x.shape());
    for (size_t i = 0; i < x.size(); ++i) y[i] = 2 * x[i];
  }
  void backward(const nn::Tensor& dy, nn::Tensor& dx) override {
    dx.resize(dy.shape());
    for (size_t i = 0; i < dy.size(); ++i) dx[i] = 2 * dy[i];
  }
  std::string type() const override { return "Doubler"; }
};

}  // namespace

TEST_CASE("onnx: varints, lowest 7 bits first, negatives as ten bytes") {
  auto varint = [](uint64_t v) {
    std::vector<uint8_t> out;
    nn::onnx::put_varint(out, v);
    return out;
  };
  CHECK(varint(0) == std::vector<uint8_t>{0x00});
  CHECK(varint(1) == std::vector<uint8_t>{0x01});
  CHECK(varint(127) == std::vector<uint8_t>{0x7F});
  CHECK(varint(128) == std::vector<uint8_t>{0x80, 0x01});
  CHECK(varint(300) == std::vector<uint8_t>{0xAC, 0x02});
  CHECK(varint(static_cast<uint64_t>(int64_t{-1})) ==
        std::vector<uint8_t>{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
}

TEST_CASE("onnx: a one-node model, byte by byte") {
  // y = Relu(x), x and y of shape (N): every byte written out by hand from onnx.proto.
  nn::onnx::ModelProto model;  // ir_version 7, opset 13
  model.graph.name = "g";
  model.graph.nodes.push_back({"Relu", "", {"x"}, {"y"}, {}});
  model.graph.inputs.push_back({"x", {{0, "N"}}});
  model.graph.outputs.push_back({"y", {{0, "N"}}});
  // ValueInfoProto {1 name, 2 type {1 tensor_type {1 elem_type FLOAT, 2 shape {1 dim {2 dim_param "N"}}}}}
  auto value_info = [](char name) {
    return std::vector<uint8_t>{0x0A, 0x01, uint8_t(name), 0x12, 0x0B, 0x0A, 0x09, 0x08, 0x01,
                                0x12, 0x05, 0x0A, 0x03, 0x12, 0x01, 'N'};
  };
  std::vector<uint8_t> want = {0x08, 0x07,  // field 1 (ir_version), varint: 7
                               0x3A, 0x35,  // field 7 (graph), length-delimited: 53 bytes
                               // GraphProto field 1 (node), 12 bytes: input "x", output "y", op_type "Relu"
                               0x0A, 0x0C, 0x0A, 0x01, 'x', 0x12, 0x01, 'y', 0x22, 0x04, 'R', 'e', 'l', 'u',
                               0x12, 0x01, 'g',  // field 2 (name)
                               0x5A, 0x10};      // field 11 (input), 16 bytes
  for (uint8_t b : value_info('x')) want.push_back(b);
  want.push_back(0x62);  // field 12 (output)
  want.push_back(0x10);
  for (uint8_t b : value_info('y')) want.push_back(b);
  for (uint8_t b : {0x42, 0x02, 0x10, 0x0D}) want.push_back(b);  // field 8 (opset_import) {2 version: 13}
  CHECK(nn::onnx::encode(model) == want);
}

TEST_CASE("onnx: the chapter's MLP is Flatten, then Gemm and its activation per Dense") {
  nn::reset_layer_names();
  auto model = onnx_test::chapter_mlp();
  const std::string file = bytes_of(nn::encode_onnx(*model));
  CHECK(one(file, 1).varint == 7);                  // ir_version
  CHECK(one(one(file, 8).bytes, 2).varint == 13);   // opset_import.version
  CHECK(one(file, 2).bytes == "nnscratch");         // producer_name
  const std::string graph = one(file, 7).bytes;
  CHECK(op_types(graph) == std::vector<std::string>{"Flatten", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"});
  CHECK(one(one(graph, 11).bytes, 1).bytes == "input_1");
  CHECK(value_dims(one(graph, 11).bytes) == std::vector<std::string>{"N", "32", "32", "3"});
  CHECK(one(one(graph, 12).bytes, 1).bytes == "dense_2");
  CHECK(value_dims(one(graph, 12).bytes) == std::vector<std::string>{"N", "10"});
  // The weights as save_weights names them; Dense's kernel stays (D, K): Gemm's B.
  const std::vector<Field> inits = all(graph, 5);
  CHECK(inits.size() == 6);
  const Field* kernel = initializer(inits, "dense/kernel");
  REQUIRE(kernel);
  CHECK(all(kernel->bytes, 1).size() == 2);
  CHECK(all(kernel->bytes, 1)[0].varint == 3072);
  CHECK(all(kernel->bytes, 1)[1].varint == 200);
  CHECK(one(kernel->bytes, 9).bytes.size() == size_t{3072} * 200 * 4);
}

TEST_CASE("onnx: the chapter's CNN transposes to channels-first once and back before Flatten") {
  nn::reset_layer_names();
  auto model = onnx_test::chapter_cnn();
  const std::string graph = graph_of(*model);
  std::vector<std::string> want = {"Transpose"};
  for (int i = 0; i < 4; ++i) want.insert(want.end(), {"Conv", "BatchNormalization", "LeakyRelu"});
  want.insert(want.end(), {"Transpose", "Flatten", "Gemm", "BatchNormalization", "LeakyRelu", "Identity", "Gemm", "Softmax"});
  CHECK(op_types(graph) == want);
  const std::vector<Field> nodes = all(graph, 1);
  CHECK(ints_attribute(nodes[0].bytes, "perm") == std::vector<int64_t>{0, 3, 1, 2});   // NHWC -> NCHW
  CHECK(ints_attribute(nodes[13].bytes, "perm") == std::vector<int64_t>{0, 2, 3, 1});  // NCHW -> NHWC
  // Strides 2, "same" on 32 pixels: TensorFlow pads nothing before and one row/column after.
  CHECK(ints_attribute(nodes[4].bytes, "pads") == std::vector<int64_t>{0, 0, 1, 1});
  CHECK(ints_attribute(nodes[1].bytes, "pads") == std::vector<int64_t>{1, 1, 1, 1});

  // Conv2D's kernel (kh, kw, C, F) = (3, 3, 3, 32) is stored as ONNX's (F, C, kh, kw).
  const std::vector<Field> inits = all(graph, 5);
  const Field* kernel = initializer(inits, "conv2d/kernel");
  REQUIRE(kernel);
  std::vector<uint64_t> dims;
  for (const Field& d : all(kernel->bytes, 1)) dims.push_back(d.varint);
  CHECK(dims == std::vector<uint64_t>{32, 3, 3, 3});
  const std::string raw = one(kernel->bytes, 9).bytes;
  const nn::Tensor& w = model->get_layer("conv2d").params()[0]->value;
  int mismatches = 0;
  for (int f = 0; f < 32; ++f)
    for (int c = 0; c < 3; ++c)
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) {
          float v;
          std::memcpy(&v, raw.data() + 4 * (((f * 3 + c) * 3 + ky) * 3 + kx), 4);
          mismatches += v != w[((ky * 3 + kx) * 3 + c) * 32 + f];
        }
  CHECK(mismatches == 0);
}

TEST_CASE("onnx: the decoder's Reshape, Resize and ConvTranspose nodes, with Keras's crop as pads") {
  nn::reset_layer_names();
  auto model = onnx_test::decoder();
  const std::string graph = graph_of(*model);
  const std::vector<std::string> want = {"Gemm",          "Tanh",      "Reshape", "Resize",        "Transpose",
                                         "ConvTranspose", "Relu",      "Resize",  "ConvTranspose", "Tanh",
                                         "ConvTranspose", "Sigmoid",   "Transpose", "Reshape"};
  CHECK(op_types(graph) == want);
  const std::vector<Field> nodes = all(graph, 1);
  // 3×3, strides 2, "same" on 4 pixels: the full 9 rows cut to 8, none before, one after.
  CHECK(ints_attribute(nodes[5].bytes, "pads") == std::vector<int64_t>{0, 0, 1, 1});
  // A 2×2 window with strides 3: the full 3·(8 - 1) + 2 = 23 rows grow to Keras's 24 by output_padding.
  CHECK(ints_attribute(nodes[8].bytes, "pads") == std::vector<int64_t>{0, 0, 0, 0});
  CHECK(ints_attribute(nodes[8].bytes, "output_padding") == std::vector<int64_t>{1, 1});
  CHECK(all(nodes[8].bytes, 1).size() == 2);  // no bias input (use_bias = false)
  // 4×4 "same", stride 1: 3 extra rows, 1 before and 2 after, as TensorFlow.
  CHECK(ints_attribute(nodes[10].bytes, "pads") == std::vector<int64_t>{1, 1, 2, 2});
  // Conv2DTranspose's kernel (k, k, F, C) = (3, 3, 6, 8) is stored as ONNX's (C, F, k, k).
  const std::vector<Field> inits = all(graph, 5);
  const Field* kernel = initializer(inits, "conv2d_transpose/kernel");
  REQUIRE(kernel);
  std::vector<uint64_t> dims;
  for (const Field& d : all(kernel->bytes, 1)) dims.push_back(d.varint);
  CHECK(dims == std::vector<uint64_t>{8, 6, 3, 3});
  const std::string raw = one(kernel->bytes, 9).bytes;
  const nn::Tensor& w = model->get_layer("conv2d_transpose").params()[0]->value;
  int mismatches = 0;
  for (int c = 0; c < 8; ++c)
    for (int f = 0; f < 6; ++f)
      for (int ky = 0; ky < 3; ++ky)
        for (int kx = 0; kx < 3; ++kx) {
          float v;
          std::memcpy(&v, raw.data() + 4 * (((c * 6 + f) * 3 + ky) * 3 + kx), 4);
          mismatches += v != w[((ky * 3 + kx) * 6 + f) * 8 + c];
        }
  CHECK(mismatches == 0);
  // Reshape's target: an int64 tensor (data_type 7), the batch as -1.
  const Field* shape = initializer(inits, "reshape/shape");
  REQUIRE(shape);
  CHECK(one(shape->bytes, 2).varint == 7);
  const std::string shape_raw = one(shape->bytes, 9).bytes;
  REQUIRE(shape_raw.size() == 4 * 8);
  int64_t target[4];
  std::memcpy(target, shape_raw.data(), sizeof target);  // little-endian, as this machine
  CHECK(target[0] == -1);
  CHECK(target[1] == 2);
  CHECK(target[2] == 2);
  CHECK(target[3] == 8);
}

// NodeProto's name is field 3.
const Field* node_named(const std::vector<Field>& nodes, const std::string& name) {
  for (const Field& n : nodes)
    if (one(n.bytes, 3).bytes == name) return &n;
  return nullptr;
}
std::vector<std::string> node_inputs(const Field& node) {
  std::vector<std::string> in;
  for (const Field& f : all(node.bytes, 1)) in.push_back(f.bytes);
  return in;
}

TEST_CASE("onnx: a graph: merges in one layout, Keras's axis moved with the channels, a shared layer's weights once") {
  nn::reset_layer_names();
  auto model = onnx_test::graph_images();
  const std::string graph = graph_of(*model);
  const std::vector<Field> nodes = all(graph, 1);
  // Add sums the two channels-first convolutions as they are.
  const Field* add = node_named(nodes, "add");
  REQUIRE(add);
  CHECK(one(add->bytes, 4).bytes == "Add");
  CHECK(node_inputs(*add) == std::vector<std::string>{"conv2d_channels_first", "conv2d_1_channels_first"});
  // Concatenate (axis -1, the channels) of the sum and the input: the input, channels-last,
  // is transposed once into the sum's layout, and the channels are ONNX's axis 1 there.
  const Field* channels = node_named(nodes, "concatenate");
  REQUIRE(channels);
  CHECK(node_inputs(*channels) == std::vector<std::string>{"add_channels_first", "input_1_channels_first"});
  auto int_attribute = [&](const Field& node, const std::string& name) -> int64_t {
    for (const Field& a : all(node.bytes, 5))
      if (one(a.bytes, 1).bytes == name) return static_cast<int64_t>(one(a.bytes, 3).varint);  // AttributeProto 3: i
    FAIL("no attribute " << name);
    return -1;
  };
  CHECK(int_attribute(*channels, "axis") == 1);
  // Concatenate(1), the height: axis 2 of a channels-first (N, C, H, W) value.
  const Field* rows = node_named(nodes, "concatenate_1");
  REQUIRE(rows);
  CHECK(int_attribute(*rows, "axis") == 2);
  CHECK(int_attribute(*node_named(nodes, "concatenate_2"), "axis") == 1);  // two vectors (N, D)
  // The input is transposed once although two convolutions and a Concatenate read it.
  int input_transposes = 0;
  for (const Field& n : nodes) input_transposes += one(n.bytes, 3).bytes == "input_1/to_channels_first";
  CHECK(input_transposes == 1);
  // The Dense layer called twice: two Gemm nodes, one kernel and one bias in the file.
  const Field* first = node_named(nodes, "dense_1");
  const Field* second = node_named(nodes, "dense_1/call_1");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(node_inputs(*first) == std::vector<std::string>{"dense", "dense_1/kernel", "dense_1/bias"});
  CHECK(node_inputs(*second) == std::vector<std::string>{"dense_1", "dense_1/kernel", "dense_1/bias"});
  int kernels = 0;
  for (const Field& t : all(graph, 5)) kernels += one(t.bytes, 8).bytes == "dense_1/kernel";
  CHECK(kernels == 1);
  CHECK(one(one(graph, 12).bytes, 1).bytes == "dense_2");
}

TEST_CASE("onnx: a nested model is written into the outer graph, ending in an Identity of its name") {
  nn::reset_layer_names();
  auto model = onnx_test::autoencoder();
  const std::string graph = graph_of(*model);
  const std::vector<std::string> want = {
      "Transpose", "Conv", "Relu", "Conv", "Relu", "Conv", "Relu", "Transpose", "Flatten", "Gemm",  // the encoder
      "Gemm", "Reshape", "Transpose", "ConvTranspose", "Relu", "ConvTranspose", "Relu", "ConvTranspose", "Relu",
      "Conv", "Sigmoid", "Identity", "Transpose"};  // the decoder's layers, its name, back to (N, H, W, C)
  CHECK(op_types(graph) == want);
  const std::vector<Field> nodes = all(graph, 1);
  const Field* decoder = node_named(nodes, "decoder");
  REQUIRE(decoder);
  CHECK(node_inputs(*decoder) == std::vector<std::string>{"conv2d_3_channels_first"});
  CHECK(one(one(graph, 12).bytes, 1).bytes == "decoder");
  CHECK(value_dims(one(graph, 12).bytes) == std::vector<std::string>{"N", "8", "8", "1"});
  // Two layers of one name anywhere in the nesting would be one ONNX value: refused.
  nn::reset_layer_names();
  auto twins = onnx_test::autoencoder();
  twins->get_layer("dense").set_name("conv2d_3");  // the encoder's Dense takes the decoder's last layer's name
  CHECK_THROWS_WITH_AS(nn::encode_onnx(*twins), doctest::Contains("two layers named \"conv2d_3\""), nn::Error);
}

TEST_CASE("onnx: a layer without an ONNX form is an error naming it and its type; nothing is written") {
  nn::reset_layer_names();
  nn::Node input = L::Input({4});
  nn::Node x = L::Dense(3)(input);
  nn::Model model(input, Doubler()(x));
  nn_test::TempDir tmp("onnx");
  const std::string path = (tmp.path / "m.onnx").string();
  nn::write_file_atomic(path, std::string("an earlier file"));
  CHECK_THROWS_WITH_AS(nn::export_onnx(model, path), doctest::Contains("layer \"doubler\" (type Doubler)"), nn::Error);
  CHECK_THROWS_WITH_AS(nn::export_onnx(model, path), doctest::Contains("the layers that export are"), nn::Error);
  std::vector<uint8_t> still = nn::read_file(path);
  CHECK(std::string(still.begin(), still.end()) == "an earlier file");
  CHECK_FALSE(fs::exists(path + ".tmp"));
}

TEST_CASE("onnx: a Sequential exports once built; before, or with two layers of one name, a clear error") {
  nn::reset_layer_names();
  nn::Sequential lazy({L::Dense(3), L::Dense(2, "softmax")});
  CHECK_THROWS_WITH_AS(nn::encode_onnx(lazy), doctest::Contains("not built yet"), nn::Error);
  lazy.predict(nn::Tensor({1, 4}));  // builds it, with an InputLayer of its own
  const std::string graph = graph_of(lazy);
  CHECK(op_types(graph) == std::vector<std::string>{"Gemm", "Gemm", "Softmax"});
  CHECK(value_dims(one(graph, 11).bytes) == std::vector<std::string>{"N", "4"});

  nn::Node input = L::Input({4});
  L::Dense a(3), b(2);
  a.set_name("twin");
  b.set_name("twin");
  nn::Node x = std::move(a)(input);
  nn::Model twins(input, std::move(b)(x));
  CHECK_THROWS_WITH_AS(nn::encode_onnx(twins), doctest::Contains("two layers named \"twin\""), nn::Error);
}

TEST_CASE("onnx: export_onnx writes the bytes encode_onnx returns, atomically") {
  nn::reset_layer_names();
  auto model = onnx_test::sequence_batch_norm();
  nn_test::TempDir tmp("onnx");
  const std::string path = (tmp.path / "sub" / "m.onnx").string();  // the folder is created
  nn::export_onnx(*model, path);
  CHECK(nn::read_file(path) == nn::encode_onnx(*model));
  CHECK_FALSE(fs::exists(path + ".tmp"));
  // (N, 6, 4): BatchNormalization needs C on axis 1, so (N, 4, 6) and back before Flatten.
  CHECK(op_types(graph_of(*model)) ==
        std::vector<std::string>{"Transpose", "BatchNormalization", "LeakyRelu", "Transpose", "Flatten", "Gemm", "Softmax"});
}
