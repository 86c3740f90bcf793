#pragma once
// A validated, defaults-filled TOML table as a stage sees it. Every key a
// stage reads was declared in its schema, so getters cannot miss; `fail`
// reports cross-key problems the schema cannot express, naming file and key.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace vidpred {

// `--set` assignments by the key path they set ("train.epochs" ->
// "train.epochs=3"), so that messages about those keys name the command line.
using Overrides = std::map<std::string, std::string>;

// The assignment that set `key_path` ("eval.metrics[0].type") or a table or
// list above it (or, with `below`, a key inside it), or nullptr.
const std::string* find_override(const Overrides& overrides, const std::string& key_path, bool below = false);

class Params {
 public:
  // `path` is the table's place in the run file ("annealer", "outputs[1]");
  // `file` is where the run came from, for messages.
  Params(const toml::table& table, std::string path, std::string file,
         std::shared_ptr<const Overrides> overrides = nullptr);

  bool flag(std::string_view key) const;
  int64_t integer(std::string_view key) const;
  double real(std::string_view key) const;
  const std::string& string(std::string_view key) const;
  std::vector<double> reals(std::string_view key) const;
  std::vector<std::string> strings(std::string_view key) const;
  Params table(std::string_view key) const;
  std::vector<Params> list(std::string_view key) const;  // a list of stage tables
  bool has(std::string_view key) const;

  const std::string& type() const { return string("type"); }  // a stage's registered name
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  const toml::table& raw() const { return *table_; }

  // "FILE: [PATH] key 'KEY'" (or "--set ASSIGNMENT: ..." where the command
  // line set it), the prefix of every message about a key.
  std::string where(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;

 private:
  const toml::node& node(std::string_view key) const;

  const toml::table* table_;
  std::string path_, file_;
  std::shared_ptr<const Overrides> overrides_;
};

}  // namespace vidpred
