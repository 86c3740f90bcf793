#include "tests/fuzz/stage_descriptions.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/config/config.h"

namespace vidpred::fuzz {
namespace {

constexpr KeyType kDescribed[] = {KeyType::flag, KeyType::integer, KeyType::real, KeyType::string,
                                  KeyType::real_list};

std::string quoted(const std::string& text) { return format_value(toml::value<std::string>(text)); }

// One line per key: an inline table, in the order a reader looks for things.
std::string describe_key(const KeySpec& key) {
  if (std::find(std::begin(kDescribed), std::end(kDescribed), key.type) == std::end(kDescribed)) {
    throw std::logic_error(fmt::format("key '{}': stages.toml does not describe a {} yet", key.name,
                                       key_type_name(key.type)));
  }
  std::vector<std::string> fields = {"name = " + quoted(key.name), "type = " + quoted(key_type_name(key.type))};
  fields.push_back(key.required ? "required = true" : "default = " + format_value(*key.default_value.get(0)));
  if (key.range.min) fields.push_back("min = " + format_value(toml::value<double>(*key.range.min)));
  if (key.range.max) fields.push_back("max = " + format_value(toml::value<double>(*key.range.max)));
  if (!key.choices.empty()) {
    toml::array choices;
    for (const auto& choice : key.choices) choices.push_back(choice);
    fields.push_back("choices = " + format_value(choices));
  }
  fields.push_back("doc = " + quoted(key.doc));
  return fmt::format("  {{ {} }},\n", fmt::join(fields, ", "));
}

KeyType key_type(const std::string& name) {
  for (KeyType type : kDescribed) {
    if (name == key_type_name(type)) return type;
  }
  throw std::runtime_error(fmt::format("stages.toml: unknown key type '{}'", name));
}

void add_key(Schema& schema, const toml::table& key) {
  const std::string name = key["name"].value_or(std::string()), doc = key["doc"].value_or(std::string());
  const Range range{key["min"].value<double>(), key["max"].value<double>()};
  const toml::node_view<const toml::node> value = key["default"];
  switch (key_type(key["type"].value_or(std::string()))) {
    case KeyType::flag: schema.flag(name, value.value_or(false), doc); break;
    case KeyType::integer: schema.integer(name, value.value_or(int64_t(0)), doc, range); break;
    case KeyType::real: schema.real(name, value.value_or(0.0), doc, range); break;
    case KeyType::real_list: {
      std::vector<double> values;
      if (const toml::array* list = value.as_array()) {
        for (const auto& v : *list) values.push_back(v.value_or(0.0));
      }
      schema.real_list(name, values, doc, range);
      break;
    }
    default: {
      if (key["required"].value_or(false)) {
        schema.required_string(name, doc);
        break;
      }
      std::vector<std::string> choices;
      if (const toml::array* list = key["choices"].as_array()) {
        for (const auto& choice : *list) choices.push_back(choice.value_or(std::string()));
      }
      schema.string(name, value.value_or(std::string()), doc, choices);
    }
  }
}

const toml::array& array_at(const toml::table& table, const char* key) {
  const toml::array* array = table[key].as_array();
  if (!array) throw std::runtime_error(fmt::format("stages.toml: a '{}' array is missing", key));
  return *array;
}

StageInfo stage_of(const toml::table& stage) {
  StageInfo info;
  info.kind = stage["kind"].value_or(std::string());
  info.name = stage["name"].value_or(std::string());
  info.summary = stage["summary"].value_or(std::string());
  for (const auto& alias : array_at(stage, "aliases")) info.aliases.push_back(alias.value_or(std::string()));
  for (const auto& key : array_at(stage, "keys")) add_key(info.schema, *key.as_table());
  return info;
}

}  // namespace

std::string describe_stages(const std::vector<const StageInfo*>& stages) {
  std::string out =
      "# Every stage as a run file sees it, for the torch-free run-config fuzzer. Generated from the real\n"
      "# registry by the test fuzz/stage_descriptions, which fails when this drifts and writes the new file.\n";
  for (const StageInfo* stage : stages) {
    toml::array aliases;
    for (const auto& alias : stage->aliases) aliases.push_back(alias);
    out += fmt::format("\n[[stage]]\nkind = {}\nname = {}\naliases = {}\nsummary = {}\nkeys = [\n",
                       quoted(stage->kind), quoted(stage->name), format_value(aliases), quoted(stage->summary));
    for (const KeySpec& key : stage->schema.keys()) out += describe_key(key);
    out += "]\n";
  }
  return out;
}

Registry registry_of_descriptions(const std::string& text, const std::string& source) {
  Registry registry;
  const toml::table file = toml::parse(std::string_view(text), std::string_view(source));
  if (const toml::array* stages = file["stage"].as_array()) {
    for (const auto& stage : *stages) registry.add_description(stage_of(*stage.as_table()));
  }
  return registry;
}

Registry run_config_registry() {
  std::ifstream in(VIDPRED_FUZZ_STAGES, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " VIDPRED_FUZZ_STAGES);
  std::ostringstream text;
  text << in.rdbuf();
  return registry_of_descriptions(text.str(), VIDPRED_FUZZ_STAGES);
}

}  // namespace vidpred::fuzz
