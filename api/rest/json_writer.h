// JsonWriter: builds a JSON text with commas and escaping handled; values appended in order.
// Not thread-safe.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/json_escape.h"

namespace stela::api {

class JsonWriter {
 public:
  JsonWriter& BeginObject() { Sep(); out_.push_back('{'); first_.push_back(true); return *this; }
  JsonWriter& EndObject() { out_.push_back('}'); first_.pop_back(); return *this; }
  JsonWriter& BeginArray() { Sep(); out_.push_back('['); first_.push_back(true); return *this; }
  JsonWriter& EndArray() { out_.push_back(']'); first_.pop_back(); return *this; }
  JsonWriter& Key(std::string_view k) {
    Sep();
    AppendJsonString(k, &out_);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }
  JsonWriter& String(std::string_view v) { Sep(); AppendJsonString(v, &out_); return *this; }
  JsonWriter& Int(std::int64_t v) { Sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& Uint(std::uint64_t v) { Sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& Double(double v) {
    Sep();
    if (!std::isfinite(v)) {
      out_ += "null";
      return *this;
    }
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, p);
    return *this;
  }
  JsonWriter& Bool(bool v) { Sep(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& Null() { Sep(); out_ += "null"; return *this; }
  // A value that is already JSON.
  JsonWriter& Raw(std::string_view json) { Sep(); out_.append(json); return *this; }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_.push_back(',');
      first_.back() = false;
    }
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace stela::api
