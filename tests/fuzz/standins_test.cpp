// The run-config fuzzer validates against stand-ins for the torch stages
// (run_config_registry.cpp); a stand-in that drifted from its stage would fuzz
// a schema nobody uses. Every real stage must be in the fuzzer's registry
// with an equal schema, docs and summary included (to_toml prints them).
#include <doctest/doctest.h>

#include "stages/register.h"
#include "tests/fuzz/run_config_registry.h"

using namespace vidpred;

namespace {

void check_same(const Schema& fuzz, const Schema& real, const std::string& where) {
  REQUIRE_MESSAGE(fuzz.names() == real.names(), where);
  for (const KeySpec& r : real.keys()) {
    const KeySpec& f = *fuzz.find(r.name);
    std::string key = where + " key '" + r.name + "'";
    CAPTURE(key);
    CHECK(f.type == r.type);
    CHECK(f.doc == r.doc);
    CHECK(f.required == r.required);
    CHECK(f.default_value == r.default_value);
    CHECK(f.range.min == r.range.min);
    CHECK(f.range.max == r.range.max);
    CHECK(f.choices == r.choices);
    CHECK(f.stage_kind == r.stage_kind);
    CHECK(bool(f.table) == bool(r.table));
    if (f.table && r.table) check_same(*f.table, *r.table, key);
  }
}

}  // namespace

TEST_CASE("every real stage has a faithful stand-in in the run-config fuzzer's registry") {
  Registry real = stages::make_registry();
  Registry fuzz = fuzz::run_config_registry();
  for (const auto& kind : real.kinds()) {
    for (const auto& name : real.names(kind)) {
      std::string where = kind + " '" + name + "'";
      CAPTURE(where);
      if (!real.find(kind, name)->missing.empty()) continue;  // this build lacks it: nothing to compare
      const StageInfo* f = fuzz.find(kind, name);
      REQUIRE_MESSAGE(f != nullptr, "no stand-in for " << where << " in tests/fuzz/run_config_registry.cpp");
      CHECK(f->summary == real.find(kind, name)->summary);
      check_same(f->schema, real.find(kind, name)->schema, where);
    }
  }
}
