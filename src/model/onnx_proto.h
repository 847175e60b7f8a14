// The few ONNX messages nn::export_onnx writes, as plain structs, and their encoding into
// protobuf bytes (model/onnx_proto.cpp, which explains the wire format).
//
// An .onnx file is one ModelProto message, serialised with Google's protocol buffers. The
// struct names and fields below follow onnx.proto (github.com/onnx/onnx, onnx/onnx.proto),
// so its documentation describes them; only what an exported nnscratch model needs is
// here: float32 tensors, and attributes holding a float, an int or a list of ints.
// Private to the library: only .cpp files include this header.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nn::onnx {

// A named constant argument of a node, e.g. Conv's strides = [2, 2].
struct AttributeProto {
  enum class Type { FLOAT = 1, INT = 2, STRING = 3, INTS = 7 };  // AttributeProto.AttributeType's numbers
  std::string name;
  Type type = Type::INT;
  float f = 0;                // when type is FLOAT
  int64_t i = 0;              // when type is INT
  std::vector<int64_t> ints;  // when type is INTS
  std::string s = {};         // when type is STRING

  static AttributeProto of_float(std::string name, float value) { return {std::move(name), Type::FLOAT, value, 0, {}}; }
  static AttributeProto of_int(std::string name, int64_t value) { return {std::move(name), Type::INT, 0, value, {}}; }
  static AttributeProto of_ints(std::string name, std::vector<int64_t> values) {
    return {std::move(name), Type::INTS, 0, 0, std::move(values)};
  }
  static AttributeProto of_string(std::string name, std::string value) {
    return {std::move(name), Type::STRING, 0, 0, {}, std::move(value)};
  }
};

// One operation: op_type (e.g. "Conv") reads the values named in `inputs` and writes the
// values named in `outputs`. Values are connected by name, not by pointer.
struct NodeProto {
  std::string op_type;
  std::string name;  // for people (Netron shows it); not used to connect anything
  std::vector<std::string> inputs, outputs;
  std::vector<AttributeProto> attributes;
};

// A constant tensor (an "initializer" of the graph), row-major: a float32 weight, or, when
// `int64s` is non-empty, an int64 one (the target shape Reshape reads).
struct TensorProto {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<float> values;   // product of dims numbers (float32)
  std::vector<int64_t> int64s = {};  // or these (int64), values then empty
};

// One axis of a declared shape: a fixed size, or a name for a size only known when the
// model runs (the batch size "N").
struct Dimension {
  int64_t value = 0;
  std::string param;  // non-empty: symbolic, and `value` is ignored
};

// The name, element type (always float32 here) and shape of a graph input or output.
struct ValueInfoProto {
  std::string name;
  std::vector<Dimension> dims;
};

struct GraphProto {
  std::string name;
  std::string doc_string;
  std::vector<NodeProto> nodes;  // in an order where every input is written before it is read
  std::vector<TensorProto> initializers;
  std::vector<ValueInfoProto> inputs, outputs;
};

struct ModelProto {
  int64_t ir_version = 7;  // the file format's version; 7 is ONNX 1.8, the first with opset 13
  int64_t opset_version = 13;  // which version of the standard operators (domain "") nodes mean
  std::string producer_name, producer_version;
  std::string doc_string;
  GraphProto graph;
};

// The model as the bytes of an .onnx file.
std::vector<uint8_t> encode(const ModelProto& model);

// The wire format's building block, exposed for the tests: v as a base-128 varint.
void put_varint(std::vector<uint8_t>& out, uint64_t v);

}  // namespace nn::onnx
