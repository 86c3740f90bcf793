#include "pipeline/config/schema.h"

#include <stdexcept>

namespace vidpred {

const char* key_type_name(KeyType type) {
  switch (type) {
    case KeyType::flag: return "bool";
    case KeyType::integer: return "integer";
    case KeyType::real: return "float";
    case KeyType::string: return "string";
    case KeyType::real_list: return "list of floats";
    case KeyType::string_list: return "list of strings";
    case KeyType::table: return "table";
    case KeyType::stage: return "stage table";
    case KeyType::stage_list: return "list of stage tables";
  }
  return "value";
}

namespace {
KeySpec spec_of(std::string name, KeyType type, std::string doc) {
  KeySpec s;
  s.name = std::move(name);
  s.type = type;
  s.doc = std::move(doc);
  return s;
}
}  // namespace

Schema& Schema::add(KeySpec spec) {
  if (find(spec.name)) throw std::logic_error("schema declares key '" + spec.name + "' twice");
  keys_.push_back(std::move(spec));
  return *this;
}

Schema& Schema::flag(std::string name, bool value, std::string doc) {
  KeySpec s = spec_of(std::move(name), KeyType::flag, std::move(doc));
  s.default_value.push_back(value);
  return add(std::move(s));
}

Schema& Schema::integer(std::string name, int64_t value, std::string doc, Range range) {
  KeySpec s = spec_of(std::move(name), KeyType::integer, std::move(doc));
  s.default_value.push_back(value);
  s.range = range;
  return add(std::move(s));
}

Schema& Schema::real(std::string name, double value, std::string doc, Range range) {
  KeySpec s = spec_of(std::move(name), KeyType::real, std::move(doc));
  s.default_value.push_back(value);
  s.range = range;
  return add(std::move(s));
}

Schema& Schema::string(std::string name, std::string value, std::string doc, std::vector<std::string> choices) {
  KeySpec s = spec_of(std::move(name), KeyType::string, std::move(doc));
  s.default_value.push_back(std::move(value));
  s.choices = std::move(choices);
  return add(std::move(s));
}

Schema& Schema::required_string(std::string name, std::string doc) {
  KeySpec s = spec_of(std::move(name), KeyType::string, std::move(doc));
  s.required = true;
  return add(std::move(s));
}

Schema& Schema::real_list(std::string name, std::vector<double> value, std::string doc, Range range) {
  KeySpec s = spec_of(std::move(name), KeyType::real_list, std::move(doc));
  toml::array list;
  for (double v : value) list.push_back(v);
  s.default_value.push_back(std::move(list));
  s.range = range;
  return add(std::move(s));
}

Schema& Schema::string_list(std::string name, std::vector<std::string> value, std::string doc) {
  KeySpec s = spec_of(std::move(name), KeyType::string_list, std::move(doc));
  toml::array list;
  for (auto& v : value) list.push_back(std::move(v));
  s.default_value.push_back(std::move(list));
  return add(std::move(s));
}

Schema& Schema::table(std::string name, Schema keys, std::string doc) {
  KeySpec s = spec_of(std::move(name), KeyType::table, std::move(doc));
  s.table = std::make_shared<const Schema>(std::move(keys));
  return add(std::move(s));
}

Schema& Schema::stage(std::string name, std::string kind, std::string default_type, std::string doc) {
  KeySpec s = spec_of(std::move(name), KeyType::stage, std::move(doc));
  toml::table t;
  t.insert("type", std::move(default_type));
  s.default_value.push_back(std::move(t));
  s.stage_kind = std::move(kind);
  return add(std::move(s));
}

Schema& Schema::stages(std::string name, std::string kind, std::vector<std::string> default_types,
                       std::string doc) {
  KeySpec s = spec_of(std::move(name), KeyType::stage_list, std::move(doc));
  toml::array list;
  for (auto& type : default_types) {
    toml::table t;
    t.insert("type", std::move(type));
    list.push_back(std::move(t));
  }
  s.default_value.push_back(std::move(list));
  s.stage_kind = std::move(kind);
  return add(std::move(s));
}

const KeySpec* Schema::find(std::string_view name) const {
  for (const auto& k : keys_) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const auto& k : keys_) out.push_back(k.name);
  return out;
}

}  // namespace vidpred
