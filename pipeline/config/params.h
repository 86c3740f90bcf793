#pragma once
// A validated, defaults-filled TOML table as a stage sees it. Every key a
// stage reads was declared in its schema, so getters cannot miss; `fail`
// reports cross-key problems the schema cannot express, naming file and key.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace vidpred {

class Params {
 public:
  // `path` is the table's place in the run file ("annealer", "outputs[1]");
  // `file` is where the run came from, for messages.
  Params(const toml::table& table, std::string path, std::string file);

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

  // "FILE: [PATH] key 'KEY'", the prefix of every message about a key.
  std::string where(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, std::string_view message) const;

 private:
  const toml::node& node(std::string_view key) const;

  const toml::table* table_;
  std::string path_, file_;
};

}  // namespace vidpred
