// ONNX's messages in the protobuf wire format, byte by byte.
//
// A protobuf message is a list of fields, each written as a key followed by a value. There
// are no field names in the bytes, only numbers: the .proto file (here onnx.proto) says
// that field 7 of a ModelProto is its graph. The key is one varint:
//
//   key = field_number << 3 | wire_type
//
// and the wire type says how long the value is:
//
//   0  varint            integers and enums (ir_version, Dimension.dim_value, ...)
//   2  length-delimited  a varint byte count, then that many bytes: strings, raw bytes,
//                        and whole nested messages (a NodeProto inside a GraphProto)
//   5  32-bit            4 bytes little-endian: a float (AttributeProto.f)
//
// A varint is an unsigned integer in groups of 7 bits, lowest group first; every byte but
// the last has its top bit (0x80) set. 1 is 01; 300 = 0b10_0101100 is AC 02. A negative
// int64 is first taken as its 64-bit two's complement, so -1 takes ten bytes,
// FF FF FF FF FF FF FF FF FF 01.
//
// A repeated field (NodeProto.input, GraphProto.node) is simply the same key written once
// per element, in order. (Numbers may also be "packed" into one length-delimited field;
// readers accept both forms, and we use the plain one.) A field left out takes its
// default, so we skip empty names.
//
// Example: a NodeProto with op_type "Relu" and one input "x" is
//   0A 01 78        field 1 (input), wire type 2: key (1 << 3 | 2) = 0A, length 1, "x"
//   22 04 52 65 6C 75   field 4 (op_type), wire type 2: key 22, length 4, "Relu"
//
// The field numbers we use, from onnx.proto (github.com/onnx/onnx/blob/main/onnx/onnx.proto):
//   ModelProto          1 ir_version  2 producer_name  3 producer_version  6 doc_string
//                       7 graph  8 opset_import (OperatorSetIdProto)
//   OperatorSetIdProto  1 domain  2 version
//   GraphProto          1 node  2 name  5 initializer  10 doc_string  11 input  12 output
//   NodeProto           1 input  2 output  3 name  4 op_type  5 attribute
//   AttributeProto      1 name  2 f  3 i  4 s  8 ints  20 type (FLOAT 1, INT 2, STRING 3, INTS 7)
//   TensorProto         1 dims  2 data_type (FLOAT = 1, INT64 = 7)  8 name  9 raw_data
//   ValueInfoProto      1 name  2 type (TypeProto)
//   TypeProto           1 tensor_type (TypeProto.Tensor)
//   TypeProto.Tensor    1 elem_type (FLOAT = 1)  2 shape (TensorShapeProto)
//   TensorShapeProto    1 dim (TensorShapeProto.Dimension)
//   Dimension           1 dim_value  2 dim_param
// A tensor's numbers go in raw_data: its elements as little-endian bytes, row-major.
#include "model/onnx_proto.h"

#include <cstring>

#include "tensor/bytes.h"

namespace nn::onnx {

void put_varint(std::vector<uint8_t>& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));  // low 7 bits, "more follows"
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

namespace {

enum WireType : uint32_t { kVarint = 0, kLengthDelimited = 2, kFixed32 = 5 };
constexpr int64_t kFloatType = 1;  // TensorProto.DataType.FLOAT
constexpr int64_t kInt64Type = 7;  // TensorProto.DataType.INT64

// One message being written: its fields, appended in order.
class Message {
 public:
  void put_int(int field, int64_t v) {
    key(field, kVarint);
    put_varint(bytes_, static_cast<uint64_t>(v));  // two's complement for negatives
  }
  void put_float(int field, float v) {
    key(field, kFixed32);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put_u32le(bytes_, bits);
  }
  void put_bytes(int field, const uint8_t* data, size_t size) {
    key(field, kLengthDelimited);
    put_varint(bytes_, size);
    bytes_.insert(bytes_.end(), data, data + size);
  }
  void put_string(int field, const std::string& s) {
    put_bytes(field, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  void put_string_unless_empty(int field, const std::string& s) {
    if (!s.empty()) put_string(field, s);
  }
  void put_message(int field, const Message& m) { put_bytes(field, m.bytes_.data(), m.bytes_.size()); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  void key(int field, WireType type) { put_varint(bytes_, static_cast<uint64_t>(field) << 3 | type); }
  std::vector<uint8_t> bytes_;
};

Message attribute(const AttributeProto& a) {
  Message m;
  m.put_string(1, a.name);
  switch (a.type) {
    case AttributeProto::Type::FLOAT: m.put_float(2, a.f); break;
    case AttributeProto::Type::INT: m.put_int(3, a.i); break;
    case AttributeProto::Type::STRING: m.put_string(4, a.s); break;
    case AttributeProto::Type::INTS:
      for (int64_t v : a.ints) m.put_int(8, v);
      break;
  }
  m.put_int(20, static_cast<int64_t>(a.type));
  return m;
}

Message node(const NodeProto& n) {
  Message m;
  for (const std::string& in : n.inputs) m.put_string(1, in);
  for (const std::string& out : n.outputs) m.put_string(2, out);
  m.put_string_unless_empty(3, n.name);
  m.put_string(4, n.op_type);
  for (const AttributeProto& a : n.attributes) m.put_message(5, attribute(a));
  return m;
}

Message tensor(const TensorProto& t) {
  Message m;
  for (int64_t d : t.dims) m.put_int(1, d);
  m.put_int(2, t.int64s.empty() ? kFloatType : kInt64Type);
  m.put_string(8, t.name);
  std::vector<uint8_t> raw;
  for (int64_t v : t.int64s)  // little-endian, low 32 bits first
    for (int shift : {0, 32}) put_u32le(raw, static_cast<uint32_t>(static_cast<uint64_t>(v) >> shift));
  raw.reserve(t.values.size() * 4);
  for (float v : t.values) {  // little-endian whatever this CPU's byte order
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put_u32le(raw, bits);
  }
  m.put_bytes(9, raw.data(), raw.size());
  return m;
}

// ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type, shape { dim... } } } }
Message value_info(const ValueInfoProto& v) {
  Message shape;
  for (const Dimension& d : v.dims) {
    Message dim;
    if (d.param.empty()) dim.put_int(1, d.value);
    else dim.put_string(2, d.param);
    shape.put_message(1, dim);
  }
  Message tensor_type;
  tensor_type.put_int(1, kFloatType);
  tensor_type.put_message(2, shape);
  Message type;
  type.put_message(1, tensor_type);
  Message m;
  m.put_string(1, v.name);
  m.put_message(2, type);
  return m;
}

Message graph(const GraphProto& g) {
  Message m;
  for (const NodeProto& n : g.nodes) m.put_message(1, node(n));
  m.put_string(2, g.name);
  for (const TensorProto& t : g.initializers) m.put_message(5, tensor(t));
  m.put_string_unless_empty(10, g.doc_string);
  for (const ValueInfoProto& v : g.inputs) m.put_message(11, value_info(v));
  for (const ValueInfoProto& v : g.outputs) m.put_message(12, value_info(v));
  return m;
}

}  // namespace

std::vector<uint8_t> encode(const ModelProto& model) {
  Message m;
  m.put_int(1, model.ir_version);
  m.put_string_unless_empty(2, model.producer_name);
  m.put_string_unless_empty(3, model.producer_version);
  m.put_string_unless_empty(6, model.doc_string);
  m.put_message(7, graph(model.graph));
  Message opset;  // domain "" (the default, so left out): the standard ONNX operators
  opset.put_int(2, model.opset_version);
  m.put_message(8, opset);
  return std::move(m.bytes());
}

}  // namespace nn::onnx
