// libFuzzer target: a run file as `vidpred train` reads it. Config::parse of
// arbitrary text against the run schema must either succeed or throw a
// ConfigError; and what succeeds must round-trip: to_toml() (what a run
// saves as config.toml) parses back to an equal table. Leading lines
// "#set key=value" (TOML comments) are also applied as --set overrides.
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config/config.h"
#include "pipeline/config/config_error.h"
#include "pipeline/run/run_schema.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/stage_descriptions.h"

namespace {

std::vector<std::string> leading_overrides(std::string_view text) {
  std::vector<std::string> overrides;
  constexpr std::string_view kPrefix = "#set ";
  while (text.substr(0, kPrefix.size()) == kPrefix) {
    size_t end = text.find('\n');
    overrides.emplace_back(text.substr(kPrefix.size(), end == std::string_view::npos ? end : end - kPrefix.size()));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return overrides;
}

// Built once: a fresh registry per input would dominate the run time, and
// neither is changed by parsing.
struct Fixture {
  vidpred::Schema schema = vidpred::run_schema();
  vidpred::Registry registry = vidpred::fuzz::run_config_registry();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<vidpred::Config> config;
  try {
    config = vidpred::Config::parse(text, "fuzz.toml", leading_overrides(text), fixture.schema, fixture.registry);
  } catch (const vidpred::ConfigError&) {
    return 0;
  }
  std::string saved = config->to_toml(fixture.schema, fixture.registry);
  std::optional<vidpred::Config> again;
  try {
    again = vidpred::Config::parse(saved, "config.toml", {}, fixture.schema, fixture.registry);
  } catch (const vidpred::ConfigError& e) {
    std::fprintf(stderr, "to_toml output does not parse back: %s\n--- output:\n%s\n", e.what(), saved.c_str());
    FUZZ_CHECK(!"to_toml output parses back");
  }
  if (again->table() != config->table()) {
    std::fprintf(stderr, "to_toml output parses back to another table\n--- output:\n%s\n", saved.c_str());
    FUZZ_CHECK(!"round trip gives an equal table");
  }
  // And the saved form is a fixed point.
  FUZZ_CHECK(again->to_toml(fixture.schema, fixture.registry) == saved);
  return 0;
}
