#include "pipeline/config/registry.h"

#include <stdexcept>

#include <fmt/format.h>

#include "pipeline/core/text.h"

namespace vidpred {

void Registry::insert(StageInfo info, std::any factory) {
  auto& kind = entries_[info.kind];
  if (kind.count(info.name)) {
    throw std::logic_error(fmt::format("stage {} '{}' registered twice", info.kind, info.name));
  }
  std::string name = info.name;
  kind.emplace(name, Entry{std::move(info), std::move(factory)});
}

void Registry::add_missing(const std::string& kind, const std::string& name, const std::string& needs) {
  insert(StageInfo{kind, name, "not in this build: it needs " + needs, Schema(), needs}, std::any());
}

void Registry::fail_missing(const StageInfo& info, const Params& stage) {
  stage.fail("type", fmt::format("{} '{}' is not in this build: it needs {}", info.kind, info.name, info.missing));
}

const Registry::Entry& Registry::entry(const std::string& kind, const Params& stage) const {
  const std::string& name = stage.type();
  auto k = entries_.find(kind);
  if (k != entries_.end()) {
    auto e = k->second.find(name);
    if (e != k->second.end()) return e->second;
  }
  stage.fail("type", fmt::format("unknown {} '{}'{}; known: {}", kind, name, did_you_mean(name, names(kind)),
                                 join(names(kind), ", ")));
}

const StageInfo* Registry::find(const std::string& kind, const std::string& name) const {
  auto k = entries_.find(kind);
  if (k == entries_.end()) return nullptr;
  auto e = k->second.find(name);
  return e == k->second.end() ? nullptr : &e->second.info;
}

std::vector<std::string> Registry::names(const std::string& kind) const {
  std::vector<std::string> out;
  auto k = entries_.find(kind);
  if (k != entries_.end()) {
    for (const auto& [name, entry] : k->second) out.push_back(name);
  }
  return out;
}

std::vector<std::string> Registry::kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, entries] : entries_) out.push_back(kind);
  return out;
}

std::string Registry::kind_doc(const std::string& kind) const {
  auto it = kind_docs_.find(kind);
  return it == kind_docs_.end() ? std::string() : it->second;
}

}  // namespace vidpred
