#pragma once
// A stage declares its TOML keys once, with type, default, range and a
// one-line description; validation, defaults, `vidpred config show` and
// `vidpred stages` are all generated from that declaration.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

namespace vidpred {

enum class KeyType { flag, integer, real, string, real_list, string_list, table, stage, stage_list };
const char* key_type_name(KeyType type);

struct Range {
  std::optional<double> min, max;
};

class Schema;

struct KeySpec {
  std::string name;
  KeyType type = KeyType::flag;
  std::string doc;
  bool required = false;                  // no default: the user must give it
  toml::array default_value;              // one element when not required (empty for table)
  Range range;                            // integer, real, real_list elements
  std::vector<std::string> choices;       // string: the allowed values
  std::shared_ptr<const Schema> table;    // table: its keys
  std::string stage_kind;                 // stage, stage_list: which registry kind
};

class Schema {
 public:
  Schema& flag(std::string name, bool value, std::string doc);
  Schema& integer(std::string name, int64_t value, std::string doc, Range range = {});
  Schema& real(std::string name, double value, std::string doc, Range range = {});
  Schema& string(std::string name, std::string value, std::string doc, std::vector<std::string> choices = {});
  Schema& required_string(std::string name, std::string doc);
  Schema& real_list(std::string name, std::vector<double> value, std::string doc, Range range = {});
  Schema& string_list(std::string name, std::vector<std::string> value, std::string doc);
  Schema& table(std::string name, Schema keys, std::string doc);
  // A stage of `kind`, chosen by `type = "name"` in its table.
  Schema& stage(std::string name, std::string kind, std::string default_type, std::string doc);
  // A list of stages of `kind` (an array of tables), by default of these types.
  Schema& stages(std::string name, std::string kind, std::vector<std::string> default_types, std::string doc);

  const std::vector<KeySpec>& keys() const { return keys_; }
  const KeySpec* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  Schema& add(KeySpec spec);
  std::vector<KeySpec> keys_;
};

}  // namespace vidpred
