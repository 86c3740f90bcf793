#include "pipeline/config/params.h"

#include <stdexcept>

#include <fmt/format.h>

#include "pipeline/config/config_error.h"

namespace vidpred {

namespace {
// "outputs[0].fps" and "outputs.0.fps" (how --set spells it) alike.
std::string dotted(const std::string& key_path) {
  std::string out;
  for (char c : key_path) {
    if (c == '[') {
      out += '.';
    } else if (c != ']') {
      out += c;
    }
  }
  return out;
}
}  // namespace

const std::string* find_override(const Overrides& overrides, const std::string& key_path, bool below) {
  const std::string key = dotted(key_path);
  for (const auto& [set_path, assignment] : overrides) {
    const std::string set = dotted(set_path);
    if (key == set || key.rfind(set + ".", 0) == 0) return &assignment;
    if (below && !key.empty() && set.rfind(key + ".", 0) == 0) return &assignment;
  }
  return nullptr;
}

Params::Params(const toml::table& table, std::string path, std::string file, std::shared_ptr<const Overrides> overrides)
    : table_(&table), path_(std::move(path)), file_(std::move(file)), overrides_(std::move(overrides)) {}

std::string Params::where(std::string_view key) const {
  const std::string key_path = path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  const std::string* assignment = overrides_ ? find_override(*overrides_, key_path) : nullptr;
  return fmt::format("{}: [{}] key '{}'", assignment ? "--set " + *assignment : file_, path_, key);
}

void Params::fail(std::string_view key, std::string_view message) const {
  throw ConfigError(fmt::format("{}: {}", where(key), message));
}

bool Params::has(std::string_view key) const { return table_->contains(key); }

const toml::node& Params::node(std::string_view key) const {
  const toml::node* n = table_->get(key);
  // Keys are validated against the schema before a stage sees them, so this
  // is a stage reading a key it did not declare: a bug, not a user error.
  if (!n) throw std::logic_error(fmt::format("{} was not declared in the schema", where(key)));
  return *n;
}

bool Params::flag(std::string_view key) const { return node(key).value<bool>().value(); }
int64_t Params::integer(std::string_view key) const { return node(key).value<int64_t>().value(); }
double Params::real(std::string_view key) const { return node(key).value<double>().value(); }

const std::string& Params::string(std::string_view key) const {
  return node(key).as_string()->get();
}

std::vector<double> Params::reals(std::string_view key) const {
  std::vector<double> out;
  for (const auto& v : *node(key).as_array()) out.push_back(v.value<double>().value());
  return out;
}

std::vector<std::string> Params::strings(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& v : *node(key).as_array()) out.push_back(v.value<std::string>().value());
  return out;
}

Params Params::table(std::string_view key) const {
  return Params(*node(key).as_table(), path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key), file_,
                overrides_);
}

std::vector<Params> Params::list(std::string_view key) const {
  std::vector<Params> out;
  const auto& array = *node(key).as_array();
  for (size_t i = 0; i < array.size(); ++i) {
    std::string path = path_.empty() ? fmt::format("{}[{}]", key, i) : fmt::format("{}.{}[{}]", path_, key, i);
    out.emplace_back(*array[i].as_table(), std::move(path), file_, overrides_);
  }
  return out;
}

}  // namespace vidpred
