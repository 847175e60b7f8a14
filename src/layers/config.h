// nn::Config — a layer's constructor arguments by name, Keras's get_config() dict.
//
// model.save asks every layer for its Config and writes it into the model file's
// config.json; nn::load_model reads it back and hands it to the layer class's from_config,
// which calls the constructor again. A Dense layer, for example:
//
//   nn::Config get_config() const override {
//     return nn::Config().set("units", units_).set("activation", activation_name(activation_));
//   }
//   static Dense from_config(const nn::Config& config) {
//     return Dense(config.get_int("units"), config.get_string("activation"));
//   }
//
// A value is a bool, an int, a float, a string or a list of ints (a Shape): what a layer's
// constructor takes, and what JSON can hold exactly. Keys keep the order they were set in,
// so config.json lists the arguments in the constructor's order.
//
// Every get_... records that the key was read. The loader uses that to catch a key that
// no one read: in a hand-edited config.json, "unit": 10 is a typo, not a silent default.
#pragma once
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tensor/shape.h"

namespace nn {

class Config {
 public:
  using Value = std::variant<bool, int, float, std::string, Shape>;

  // Adds `key` (or replaces its value), returning *this so calls chain. One overload per
  // type, so set("rate", 0.5) stores a float and set("padding", "same") a string.
  Config& set(const std::string& key, bool value);
  Config& set(const std::string& key, int value);
  Config& set(const std::string& key, float value);
  Config& set(const std::string& key, double value);  // stored as a float
  Config& set(const std::string& key, std::string value);
  Config& set(const std::string& key, const char* value);
  Config& set(const std::string& key, Shape value);

  bool has(const std::string& key) const;
  // The value of `key`; a missing key or a value of another type is an nn::ValueError that
  // names the key, what was expected and what was found. get_float accepts an int too
  // ("alpha": 1 in a hand-written file).
  bool get_bool(const std::string& key) const;
  int get_int(const std::string& key) const;
  float get_float(const std::string& key) const;
  std::string get_string(const std::string& key) const;
  Shape get_shape(const std::string& key) const;

  const std::vector<std::pair<std::string, Value>>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  // The keys that no get_... has read yet, in order.
  std::vector<std::string> unread_keys() const;

  // Same keys, in the same order, with the same values.
  bool operator==(const Config& other) const { return items_ == other.items_; }

 private:
  Config& put(const std::string& key, Value value);
  const Value& find(const std::string& key, const char* expected) const;

  std::vector<std::pair<std::string, Value>> items_;
  mutable std::set<std::string> read_;  // keys a get_... has returned
};

// "a whole number", "the string \"same\"", ...: a value as error messages describe it.
std::string describe_config_value(const Config::Value& value);

}  // namespace nn
