#include "pipeline/config/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/config/config_error.h"
#include "pipeline/core/atomic_file.h"
#include "pipeline/core/text.h"

namespace vidpred {
namespace fs = std::filesystem;

namespace {

// Inserts a copy of any node.
void put(toml::table& table, std::string_view key, const toml::node& node) {
  node.visit([&](const auto& concrete) { table.insert_or_assign(key, concrete); });
}

std::string type_name(const toml::node& node) {
  std::ostringstream os;
  os << node.type();
  return os.str();
}

std::string join_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

// The keys of `schema` that hold a table: the tables a run file may have.
std::vector<std::string> table_names(const Schema& schema) {
  std::vector<std::string> names;
  for (const KeySpec& spec : schema.keys()) {
    const bool holds_tables = spec.type == KeyType::table || spec.type == KeyType::stage ||
                              spec.type == KeyType::stage_list;
    if (holds_tables) names.push_back(spec.name);
  }
  return names;
}

// A key given one level too high (`--set epochs=3`) is suggested where it
// lives ("train.epochs"); otherwise the nearest name at its own level.
std::string suggestion(const Schema& schema, std::string_view key, const std::vector<std::string>& names) {
  for (const KeySpec& spec : schema.keys()) {
    if (spec.type == KeyType::table && spec.table && spec.table->find(key)) {
      return fmt::format(" (did you mean '{}.{}'?)", spec.name, key);
    }
  }
  return did_you_mean(key, names);
}

class Resolver {
 public:
  // `overrides` maps each overridden key path ("train.epochs") to its
  // assignment, so that messages about it point at the command line.
  Resolver(const std::string& file, const Registry& registry, const Overrides& overrides)
      : file_(file), registry_(registry), overrides_(overrides) {}

  // `in`'s keys against `schema`; a stage's table also holds its 'type'.
  toml::table table(const toml::table& in, const Schema& schema, const std::string& path, bool is_stage = false) {
    for (const auto& [key, node] : in) {
      if (is_stage && key.str() == "type") continue;
      if (!schema.find(key.str())) {
        std::string where = path.empty() ? "" : fmt::format("[{}] ", path);
        // A table (annealr.ratio = 0.3 makes one) is named as a table, among
        // the tables, where the schema has any.
        const std::vector<std::string> tables = table_names(schema);
        const bool is_table = (node.is_table() || node.is_array_of_tables()) && !tables.empty();
        const std::vector<std::string> names = is_table ? tables : schema.names();
        fail(node,
             fmt::format("{}unknown {} '{}'{}; valid {}: {}", where, is_table ? "table" : "key", key.str(),
                         suggestion(schema, key.str(), names), is_table ? "tables" : "keys", fmt::join(names, ", ")),
             join_path(path, key.str()));
      }
    }
    toml::table out;
    for (const KeySpec& spec : schema.keys()) {
      const toml::node* node = in.get(spec.name);
      if (!node) {
        if (spec.required) {
          fail_at(in.source(), fmt::format("[{}] missing key '{}' ({})", path, spec.name, spec.doc),
                  join_path(path, spec.name));
        }
        if (spec.type == KeyType::table) {
          out.insert(spec.name, table(toml::table{}, *spec.table, join_path(path, spec.name)));
          continue;
        }
        node = spec.default_value.get(0);
      }
      value(out, *node, spec, path);
    }
    return out;
  }

 private:
  [[noreturn]] void fail_at(const toml::source_region& source, const std::string& message,
                            const std::string& full_key = "") const {
    std::string where;
    // Nodes that --set made (values, and tables on the way to them) carry no source.
    const std::string* assignment = find_override(overrides_, full_key, !source.path);
    if (assignment) {
      where = "--set " + *assignment;
    } else {
      where = source.path ? *source.path : file_;
      if (source.begin.line > 0) where += fmt::format(":{}", source.begin.line);
    }
    throw ConfigError(fmt::format("{}: {}", where, message));
  }
  [[noreturn]] void fail(const toml::node& node, const std::string& message, const std::string& full_key = "") const {
    fail_at(node.source(), message, full_key);
  }
  [[noreturn]] void fail_key(const toml::node& node, const std::string& path, const KeySpec& spec,
                             const std::string& problem) const {
    fail(node, fmt::format("[{}] key '{}': {}", path, spec.name, problem), join_path(path, spec.name));
  }

  void check_range(const toml::node& node, double v, const std::string& path, const KeySpec& spec) const {
    if (!std::isfinite(v)) fail_key(node, path, spec, fmt::format("{} is not a finite number", v));
    if ((spec.range.min && v < *spec.range.min) || (spec.range.max && v > *spec.range.max)) {
      std::string lo = spec.range.min ? fmt::format("{}", *spec.range.min) : "-inf";
      std::string hi = spec.range.max ? fmt::format("{}", *spec.range.max) : "inf";
      fail_key(node, path, spec, fmt::format("{} is out of range [{}, {}]", v, lo, hi));
    }
  }

  double number(const toml::node& node, const std::string& path, const KeySpec& spec) const {
    if (node.is_integer()) return double(node.value<int64_t>().value());
    if (node.is_floating_point()) return node.value<double>().value();
    const char* expected = spec.type == KeyType::real ? "float" : "a list of numbers";
    fail_key(node, path, spec, fmt::format("expected {}, found {}", expected, type_name(node)));
  }

  void value(toml::table& out, const toml::node& node, const KeySpec& spec, const std::string& path) {
    const std::string& key = spec.name;
    auto wrong_type = [&] {
      fail_key(node, path, spec, fmt::format("expected {}, found {}", key_type_name(spec.type), type_name(node)));
    };
    switch (spec.type) {
      case KeyType::flag:
        if (!node.is_boolean()) wrong_type();
        put(out, key, node);
        return;
      case KeyType::integer: {
        if (!node.is_integer()) wrong_type();
        check_range(node, double(node.value<int64_t>().value()), path, spec);
        put(out, key, node);
        return;
      }
      case KeyType::real: {
        double v = number(node, path, spec);
        check_range(node, v, path, spec);
        out.insert_or_assign(key, v);
        return;
      }
      case KeyType::string: {
        if (!node.is_string()) wrong_type();
        const std::string& v = node.as_string()->get();
        if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), v) == spec.choices.end()) {
          fail_key(node, path, spec, fmt::format("'{}' is not one of: {}{}", v, fmt::join(spec.choices, ", "),
                                                 did_you_mean(v, spec.choices)));
        }
        put(out, key, node);
        return;
      }
      case KeyType::real_list: {
        if (!node.is_array()) wrong_type();
        toml::array list;
        for (const auto& element : *node.as_array()) {
          double v = number(element, path, spec);
          check_range(element, v, path, spec);
          list.push_back(v);
        }
        out.insert_or_assign(key, std::move(list));
        return;
      }
      case KeyType::string_list: {
        if (!node.is_array()) wrong_type();
        for (const auto& element : *node.as_array()) {
          if (!element.is_string()) fail_key(element, path, spec, "expected a list of strings");
        }
        put(out, key, node);
        return;
      }
      case KeyType::table:
        if (!node.is_table()) wrong_type();
        out.insert_or_assign(key, table(*node.as_table(), *spec.table, join_path(path, key)));
        return;
      case KeyType::stage:
        if (!node.is_table()) wrong_type();
        out.insert_or_assign(key, stage(*node.as_table(), spec, join_path(path, key)));
        return;
      case KeyType::stage_list: {
        if (!node.is_array()) wrong_type();
        toml::array list;
        const auto& array = *node.as_array();
        for (size_t i = 0; i < array.size(); ++i) {
          std::string item_path = fmt::format("{}[{}]", join_path(path, key), i);
          if (!array[i].is_table()) fail(array[i], fmt::format("[{}] expected a stage table", item_path), item_path);
          list.push_back(stage(*array[i].as_table(), spec, item_path));
        }
        out.insert_or_assign(key, std::move(list));
        return;
      }
    }
  }

  // A stage this build lacks: its keys as written, for a build that has it.
  // Only plain ones (bare keys, values that are not tables), which the
  // resolved config prints back as they came.
  toml::table unchecked_stage(const toml::table& in, const KeySpec& spec, const std::string& type,
                              const std::string& path) {
    auto plain_value = [](const toml::node& node) {
      if (node.is_value()) return true;
      if (!node.is_array()) return false;
      for (const auto& element : *node.as_array()) {
        if (!element.is_value()) return false;
      }
      return true;
    };
    toml::table out;
    for (const auto& [key, value] : in) {
      const std::string name(key.str());
      const bool bare = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      });
      if (!bare || !plain_value(value)) {
        fail(value,
             fmt::format("[{}] key '{}': this build lacks the {} '{}' and keeps only plain keys for it", path, name,
                         spec.stage_kind, type),
             join_path(path, name));
      }
      out.insert(name, value);
    }
    out.insert_or_assign("type", type);
    return out;
  }

  toml::table stage(const toml::table& in, const KeySpec& spec, const std::string& path) {
    const toml::node* type_node = in.get("type");
    std::string type;
    if (type_node) {
      if (!type_node->is_string()) {
        fail(*type_node, fmt::format("[{}] key 'type' must be a string", path), join_path(path, "type"));
      }
      type = type_node->as_string()->get();
    } else if (spec.type == KeyType::stage) {
      type = spec.default_value.get(0)->as_table()->get("type")->as_string()->get();
    } else {
      fail_at(in.source(), fmt::format("[{}] needs a 'type' ({})", path, fmt::join(registry_.names(spec.stage_kind), ", ")),
              path);
    }
    const StageInfo* info = registry_.find(spec.stage_kind, type);
    if (!info) {
      auto known = registry_.names(spec.stage_kind);
      fail_at(type_node ? type_node->source() : in.source(),
              fmt::format("[{}] unknown {} '{}'{}; known: {}", path, spec.stage_kind, type, did_you_mean(type, known),
                          fmt::join(known, ", ")),
              join_path(path, "type"));
    }
    // A stage this build lacks has no schema here: its keys are kept as
    // written (for a build that has it), and building it says what is missing.
    // A former name (an alias) is saved as the current one, as outputs print it.
    if (!info->missing.empty()) return unchecked_stage(in, spec, info->name, path);
    // Validated in place: copies of nodes lose their file and line.
    toml::table out = table(in, info->schema, path, true);
    out.insert("type", info->name);
    return out;
  }

  const std::string& file_;
  const Registry& registry_;
  const Overrides& overrides_;
};

// ------------------------------------------------------------ TOML output

std::string format_real(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

}  // namespace

std::string format_value(const toml::node& node) {
  if (node.is_floating_point()) return format_real(node.value<double>().value());
  if (node.is_array()) {
    std::vector<std::string> parts;
    for (const auto& e : *node.as_array()) parts.push_back(format_value(e));
    return fmt::format("[{}]", fmt::join(parts, ", "));
  }
  std::ostringstream os;
  node.visit([&](const auto& concrete) { os << concrete; });
  return os.str();
}

namespace {

class Printer {
 public:
  explicit Printer(const Registry& registry) : registry_(registry) {}

  // Keys first, then sub-tables, then arrays of tables: the order TOML needs.
  void table(const toml::table& t, const Schema& schema, const std::string& path) {
    for (const KeySpec& spec : schema.keys()) {
      const toml::node* node = t.get(spec.name);
      if (!node || is_nested(spec, *node)) continue;
      key_line(spec.name, format_value(*node), spec.doc);
    }
    for (const KeySpec& spec : schema.keys()) {
      const toml::node* node = t.get(spec.name);
      if (!node || !is_nested(spec, *node)) continue;
      std::string sub = path.empty() ? spec.name : path + "." + spec.name;
      if (spec.type == KeyType::table) {
        header(fmt::format("[{}]", sub), spec.doc);
        table(*node->as_table(), *spec.table, sub);
      } else if (spec.type == KeyType::stage) {
        header(fmt::format("[{}]", sub), spec.doc);
        stage(*node->as_table(), spec, sub);
      } else {
        bool first = true;  // the list's description once, above its first element
        for (const auto& element : *node->as_array()) {
          header(fmt::format("[[{}]]", sub), first ? spec.doc : "");
          stage(*element.as_table(), spec, sub);
          first = false;
        }
      }
    }
  }

  std::string text() const { return out_; }

 private:
  static bool is_nested(const KeySpec& spec, const toml::node& node) {
    if (spec.type == KeyType::table || spec.type == KeyType::stage) return true;
    return spec.type == KeyType::stage_list && !node.as_array()->empty();
  }

  void stage(const toml::table& t, const KeySpec& spec, const std::string& path) {
    const std::string& type = t.get("type")->as_string()->get();
    const StageInfo* info = registry_.find(spec.stage_kind, type);
    key_line("type", format_value(*t.get("type")), info ? info->summary : "");
    if (info && !info->missing.empty()) {
      for (const auto& [key, value] : t) {
        if (key != "type") key_line(std::string(key.str()), format_value(value), "");
      }
    } else if (info) {
      table(t, info->schema, path);
    }
  }

  void header(const std::string& name, const std::string& doc) {
    if (!out_.empty()) out_ += "\n";
    if (!doc.empty()) out_ += fmt::format("# {}\n", doc);
    out_ += name + "\n";
  }

  void key_line(const std::string& key, const std::string& value, const std::string& doc) {
    std::string line = fmt::format("{} = {}", key, value);
    if (!doc.empty()) line = fmt::format("{:<32} # {}", line, doc);
    out_ += line + "\n";
  }

  const Registry& registry_;
  std::string out_;
};

}  // namespace

void apply_override(toml::table& root, std::string_view assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw ConfigError(fmt::format("--set '{}': expected key.path=value", assignment));
  }
  std::string key_path(assignment.substr(0, eq));
  std::string text(assignment.substr(eq + 1));
  std::string source = fmt::format("--set {}", assignment);

  toml::table parsed;
  try {
    parsed = toml::parse(std::string_view("value = " + text), std::string_view(source));
  } catch (const toml::parse_error&) {
    parsed = toml::table{};
    parsed.insert("value", text);  // a bare word: data.root=/data/bair
  }
  const toml::node& value = *parsed.get("value");

  std::vector<std::string> parts;
  std::stringstream stream(key_path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  toml::node* current = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (auto* table = current->as_table()) {
      if (!table->contains(part)) table->insert(part, toml::table{});
      current = table->get(part);
    } else if (auto* array = current->as_array()) {
      size_t index = 0;
      auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
      if (ec != std::errc() || end != part.data() + part.size() || index >= array->size()) {
        throw ConfigError(fmt::format("{}: '{}' is not an index of the list (size {})", source, part, array->size()));
      }
      current = array->get(index);
    } else {
      throw ConfigError(fmt::format("{}: '{}' is not a table", source, fmt::join(parts.begin(), parts.begin() + i, ".")));
    }
  }
  auto* table = current->as_table();
  if (!table) throw ConfigError(fmt::format("{}: '{}' is not a table", source, key_path));
  put(*table, parts.back(), value);
}

namespace {

// toml++ says only that it cannot tell a value's type (`warp = yes`); a
// person needs the spelling of the types they meant.
std::string value_hint(std::string_view description) {
  if (description.find("could not determine value type") == std::string_view::npos) return "";
  return " (booleans are true or false, strings are quoted: name = \"text\", numbers as 3 or 0.5)";
}

toml::table parse_toml(std::string_view text, const std::string& source_name) {
  try {
    return toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}: {}{}", source_name, e.source().begin.line, e.description(),
                                  value_hint(e.description())));
  }
}

// Moves (not copies) nodes, so that they keep their file and line for messages.
void merge_into(toml::table& base, toml::table&& layer) {
  for (auto&& [key, node] : layer) {
    const toml::key& name = key;  // C++17 lambdas cannot capture a structured binding (clang refuses)
    toml::node* existing = base.get(name.str());
    if (existing && existing->is_table() && node.is_table()) {
      merge_into(*existing->as_table(), std::move(*node.as_table()));
    } else {
      node.visit([&](auto&& concrete) { base.insert_or_assign(name.str(), std::move(concrete)); });
    }
  }
}

}  // namespace

Config Config::parse(std::string_view text, const std::string& source_name, const std::vector<std::string>& overrides,
                     const Schema& schema, const Registry& registry) {
  return resolve(parse_toml(text, source_name), source_name, overrides, schema, registry);
}

Config Config::load_layers(const std::vector<fs::path>& files, const std::vector<std::string>& overrides,
                           const Schema& schema, const Registry& registry) {
  toml::table merged;
  std::vector<std::string> names;
  for (const auto& file : files) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      throw ConfigError(fmt::format("'{}' {}", file.string(),
                                    fs::exists(file, ec) ? "is not a file (a TOML run file?)" : "does not exist"));
    }
    merge_into(merged, parse_toml(read_file(file), file.string()));
    names.push_back(file.string());
  }
  return resolve(std::move(merged), fmt::format("{}", fmt::join(names, " + ")), overrides, schema, registry);
}

Config Config::resolve(toml::table input, const std::string& source_name, const std::vector<std::string>& overrides,
                       const Schema& schema, const Registry& registry) {
  auto overridden = std::make_shared<Overrides>();
  for (const auto& o : overrides) {
    apply_override(input, o);
    (*overridden)[o.substr(0, o.find('='))] = o;
  }
  Resolver resolver(source_name, registry, *overridden);
  auto resolved = std::make_shared<toml::table>(resolver.table(input, schema, ""));
  return Config(std::move(resolved), source_name, std::move(overridden));
}

Config Config::load(const fs::path& file, const std::vector<std::string>& overrides, const Schema& schema,
                    const Registry& registry) {
  return load_layers({file}, overrides, schema, registry);
}

std::string Config::to_toml(const Schema& schema, const Registry& registry) const {
  Printer printer(registry);
  printer.table(*table_, schema, "");
  return printer.text();
}

}  // namespace vidpred
