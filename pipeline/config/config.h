#pragma once
// A run's configuration: one TOML file plus `--set key.path=value` overrides,
// validated against the run's schema and every stage's own schema, with all
// defaults filled in. What a run saves beside its outputs is to_toml(), which
// parses back to the same configuration.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "pipeline/config/params.h"
#include "pipeline/config/registry.h"
#include "pipeline/config/schema.h"

namespace vidpred {

class Config {
 public:
  static Config load(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                     const Schema& schema, const Registry& registry);
  static Config parse(std::string_view text, const std::string& source_name,
                      const std::vector<std::string>& overrides, const Schema& schema, const Registry& registry);
  // Several run files, each later one's tables merged over the earlier ones
  // (tables merge key by key; any other value, lists included, replaces).
  static Config load_layers(const std::vector<std::filesystem::path>& files,
                            const std::vector<std::string>& overrides, const Schema& schema,
                            const Registry& registry);

  Params root() const { return Params(*table_, "", source_, overrides_); }
  Params section(std::string_view key) const { return root().table(key); }
  const toml::table& table() const { return *table_; }
  const std::string& source() const { return source_; }

  // Commented TOML in schema order, every default written out.
  std::string to_toml(const Schema& schema, const Registry& registry) const;

 private:
  Config(std::shared_ptr<const toml::table> table, std::string source, std::shared_ptr<const Overrides> overrides)
      : table_(std::move(table)), source_(std::move(source)), overrides_(std::move(overrides)) {}
  static Config resolve(toml::table input, const std::string& source_name,
                        const std::vector<std::string>& overrides, const Schema& schema, const Registry& registry);
  std::shared_ptr<const toml::table> table_;  // shared: Params point into it
  std::string source_;
  std::shared_ptr<const Overrides> overrides_;
};

// A value as it is written in TOML (0.2, not 0.20000000000000001).
std::string format_value(const toml::node& node);

// Applies one "a.b.c=value" override to a parsed table; the value is read as
// TOML (42, 0.5, true, "text", [1, 2]) or, failing that, as a bare string.
void apply_override(toml::table& root, std::string_view assignment);

}  // namespace vidpred
