#pragma once
// Stages registered by (kind, name). A stage class provides
//   using Interface = ...;            // whose kKind names the kind
//   static constexpr const char* kName, *kSummary;
//   static Schema schema();           // its keys; leave out when it has none
//   explicit Stage(const Params&);    // likewise: else Stage() is used
// and optionally `static constexpr const char* kAliases[]`, former names that
// still select it; it is added with one line, `registry.add<Stage>()` (see stages/stages.def).
// The registry is a value built at start-up and passed down: no global state.
#include <any>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/config/config_error.h"
#include "pipeline/config/params.h"
#include "pipeline/config/schema.h"
#include "pipeline/config/stage_traits.h"

namespace vidpred {

struct StageInfo {
  std::string kind, name, summary;
  Schema schema;
  std::string missing;  // what this build lacks to have the stage; "" when it has it
  std::vector<std::string> aliases;  // former names, still accepted (see add_alias)
};

class Registry {
 public:
  template <class Stage>
  void add() {
    using Interface = typename Stage::Interface;
    Factory<Interface> factory = [](const Params& p) -> std::unique_ptr<Interface> {
      return detail::make_stage<Stage>(p);
    };
    insert(StageInfo{Interface::kKind, Stage::kName, Stage::kSummary, detail::stage_schema<Stage>(), "", {}},
           std::move(factory));
    kind_docs_[Interface::kKind] = Interface::kKindDoc;
    for (const auto& old_name : detail::stage_aliases<Stage>()) add_alias(Interface::kKind, old_name, Stage::kName);
  }

  // A former name of stage `name`: run files that use it keep working, and
  // resolve to the stage's current name (which is what outputs print).
  void add_alias(const std::string& kind, const std::string& old_name, const std::string& name);

  // A stage this build leaves out (see VIDPRED_SKIP_STAGE): known by name,
  // so that a run file naming it is told what the build lacks, not that the
  // name is unknown. Its keys cannot be checked here.
  void add_missing(const std::string& kind, const std::string& name, const std::string& needs);

  // A stage known by its description alone: run files that name it are
  // checked against its schema, but it cannot be built. For code that reads
  // run files without the stages' own (the torch-free run-config fuzzer).
  void add_description(StageInfo info);

  // Builds the stage that a validated stage table (with its `type`) asks for;
  // a stage this build lacks is an error saying what it needs.
  template <class Interface>
  std::unique_ptr<Interface> create(const Params& stage) const {
    const Entry& e = entry(Interface::kKind, stage);
    if (!e.info.missing.empty()) fail_missing(e.info, stage);
    return build<Interface>(e, stage);
  }
  template <class Interface>
  std::vector<std::unique_ptr<Interface>> create_all(const std::vector<Params>& stages) const {
    std::vector<std::unique_ptr<Interface>> out;
    for (const auto& p : stages) out.push_back(create<Interface>(p));
    return out;
  }
  // As create_all, but leaves out the stages this build lacks and says which
  // in `left_out` ("png_grid (needs ...)"): for outputs, where a missing
  // picture should not cost a run on a machine without the library.
  template <class Interface>
  std::vector<std::unique_ptr<Interface>> create_available(const std::vector<Params>& stages,
                                                           std::vector<std::string>& left_out) const {
    std::vector<std::unique_ptr<Interface>> out;
    for (const auto& p : stages) {
      const Entry& e = entry(Interface::kKind, p);
      if (e.info.missing.empty()) {
        out.push_back(build<Interface>(e, p));
      } else {
        left_out.push_back(e.info.name + " (needs " + e.info.missing + ")");
      }
    }
    return out;
  }

  // By name or alias; the StageInfo carries the current name.
  const StageInfo* find(const std::string& kind, const std::string& name) const;
  std::vector<std::string> names(const std::string& kind) const;  // current names only
  std::vector<std::string> kinds() const;
  std::string kind_doc(const std::string& kind) const;

 private:
  template <class Interface>
  using Factory = std::function<std::unique_ptr<Interface>(const Params&)>;
  struct Entry {
    StageInfo info;
    std::any factory;
  };
  template <class Interface>
  static std::unique_ptr<Interface> build(const Entry& e, const Params& stage) {
    if (!e.factory.has_value()) fail_described(e.info);
    return std::any_cast<const Factory<Interface>&>(e.factory)(stage);
  }
  void insert(StageInfo info, std::any factory);
  const Entry* lookup(const std::string& kind, const std::string& name) const;
  const Entry& entry(const std::string& kind, const Params& stage) const;
  [[noreturn]] static void fail_missing(const StageInfo& info, const Params& stage);
  [[noreturn]] static void fail_described(const StageInfo& info);

  std::map<std::string, std::map<std::string, Entry>> entries_;  // kind -> name -> entry
  std::map<std::string, std::map<std::string, std::string>> aliases_;  // kind -> old name -> name
  std::map<std::string, std::string> kind_docs_;
};

}  // namespace vidpred

// Ends a stage's file: defines the registration function that the stage list
// (stages/stages.def) names. The stage class itself stays private to its file.
#define VIDPRED_REGISTER_STAGE(Class) \
  void register_##Class(::vidpred::Registry& registry) { registry.add<Class>(); }

// A stage that this build leaves out (its library is missing here): the
// registration function exists, so stages.def needs no conditionals, and the
// name stays known, with what it needs.
#define VIDPRED_SKIP_STAGE(Class, kind, name, needs) \
  void register_##Class(::vidpred::Registry& registry) { registry.add_missing(kind, name, needs); }
