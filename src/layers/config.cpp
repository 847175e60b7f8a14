#include "layers/config.h"

#include <algorithm>
#include <charconv>

#include "tensor/error.h"

namespace nn {

Config& Config::put(const std::string& key, Value value) {
  for (auto& [k, v] : items_)
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  items_.emplace_back(key, std::move(value));
  return *this;
}

Config& Config::set(const std::string& key, bool value) { return put(key, value); }
Config& Config::set(const std::string& key, int value) { return put(key, value); }
Config& Config::set(const std::string& key, float value) { return put(key, value); }
Config& Config::set(const std::string& key, double value) { return put(key, static_cast<float>(value)); }
Config& Config::set(const std::string& key, std::string value) { return put(key, std::move(value)); }
Config& Config::set(const std::string& key, const char* value) { return put(key, std::string(value)); }
Config& Config::set(const std::string& key, Shape value) { return put(key, std::move(value)); }

bool Config::has(const std::string& key) const {
  return std::any_of(items_.begin(), items_.end(), [&](const auto& item) { return item.first == key; });
}

const Config::Value& Config::find(const std::string& key, const char* expected) const {
  for (const auto& [k, v] : items_)
    if (k == key) {
      read_.insert(key);
      return v;
    }
  std::string keys;
  for (const auto& item : items_) keys += (keys.empty() ? "\"" : ", \"") + item.first + "\"";
  throw ValueError("the config has no key \"" + key + "\" (" + expected + "); it has " +
                   (keys.empty() ? std::string("no keys") : keys));
}

namespace {

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const Config::Value& found) {
  throw ValueError("the config key \"" + key + "\" should be " + expected + ", but it is " +
                   describe_config_value(found));
}

}  // namespace

bool Config::get_bool(const std::string& key) const {
  const Value& v = find(key, "true or false");
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  wrong_type(key, "true or false", v);
}

int Config::get_int(const std::string& key) const {
  const Value& v = find(key, "a whole number");
  if (const int* i = std::get_if<int>(&v)) return *i;
  wrong_type(key, "a whole number", v);
}

float Config::get_float(const std::string& key) const {
  const Value& v = find(key, "a number");
  if (const float* f = std::get_if<float>(&v)) return *f;
  if (const int* i = std::get_if<int>(&v)) return static_cast<float>(*i);
  wrong_type(key, "a number", v);
}

std::string Config::get_string(const std::string& key) const {
  const Value& v = find(key, "a string");
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  wrong_type(key, "a string", v);
}

Shape Config::get_shape(const std::string& key) const {
  const Value& v = find(key, "a list of whole numbers");
  if (const Shape* s = std::get_if<Shape>(&v)) return *s;
  wrong_type(key, "a list of whole numbers", v);
}

std::vector<std::string> Config::unread_keys() const {
  std::vector<std::string> out;
  for (const auto& item : items_)
    if (!read_.count(item.first)) out.push_back(item.first);
  return out;
}

std::string describe_config_value(const Config::Value& value) {
  struct Describe {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int i) const { return "the whole number " + std::to_string(i); }
    std::string operator()(float f) const {
      char text[32];
      const auto end = std::to_chars(text, text + sizeof text, f).ptr;  // shortest form: 0.99, not 0.990000
      return "the number " + std::string(text, end);
    }
    std::string operator()(const std::string& s) const { return "the string \"" + s + "\""; }
    std::string operator()(const Shape& s) const {  // as JSON writes it: [32, 32, 3]
      std::string out = "the list [";
      for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
      return out + "]";
    }
  };
  return std::visit(Describe{}, value);
}

}  // namespace nn
