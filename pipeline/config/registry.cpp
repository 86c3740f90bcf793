#include "pipeline/config/registry.h"

#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pipeline/core/text.h"

namespace vidpred {

void Registry::insert(StageInfo info, std::any factory) {
  if (lookup(info.kind, info.name)) {
    throw std::logic_error(fmt::format("stage {} '{}' registered twice", info.kind, info.name));
  }
  std::string kind = info.kind, name = info.name;
  entries_[kind].emplace(name, Entry{std::move(info), std::move(factory)});
}

void Registry::add_missing(const std::string& kind, const std::string& name, const std::string& needs) {
  insert(StageInfo{kind, name, "not in this build: it needs " + needs, Schema(), needs, {}}, std::any());
}

void Registry::add_alias(const std::string& kind, const std::string& old_name, const std::string& name) {
  auto k = entries_.find(kind);
  if (k == entries_.end() || !k->second.count(name)) {
    throw std::logic_error(fmt::format("alias '{}' names no stage {} '{}'", old_name, kind, name));
  }
  if (lookup(kind, old_name)) {
    throw std::logic_error(fmt::format("alias '{}' of stage {} '{}' is taken already", old_name, kind, name));
  }
  aliases_[kind].emplace(old_name, name);
  k->second.at(name).info.aliases.push_back(old_name);
}

void Registry::add_description(StageInfo info) {
  std::vector<std::string> aliases;
  std::swap(aliases, info.aliases);  // add_alias lists them again
  const std::string kind = info.kind, name = info.name;
  insert(std::move(info), std::any());
  for (const auto& old_name : aliases) add_alias(kind, old_name, name);
}

void Registry::fail_described(const StageInfo& info) {
  throw std::logic_error(fmt::format("stage {} '{}' is a description only and cannot be built", info.kind, info.name));
}

void Registry::fail_missing(const StageInfo& info, const Params& stage) {
  stage.fail("type", fmt::format("{} '{}' is not in this build: it needs {}", info.kind, info.name, info.missing));
}

const Registry::Entry* Registry::lookup(const std::string& kind, const std::string& name) const {
  auto k = entries_.find(kind);
  if (k == entries_.end()) return nullptr;
  auto e = k->second.find(name);
  if (e != k->second.end()) return &e->second;
  auto a = aliases_.find(kind);
  if (a == aliases_.end()) return nullptr;
  auto alias = a->second.find(name);
  return alias == a->second.end() ? nullptr : &k->second.at(alias->second);
}

const Registry::Entry& Registry::entry(const std::string& kind, const Params& stage) const {
  const std::string& name = stage.type();
  if (const Entry* e = lookup(kind, name)) return *e;
  stage.fail("type", fmt::format("unknown {} '{}'{}; known: {}", kind, name, did_you_mean(name, names(kind)),
                                 fmt::join(names(kind), ", ")));
}

const StageInfo* Registry::find(const std::string& kind, const std::string& name) const {
  const Entry* e = lookup(kind, name);
  return e ? &e->info : nullptr;
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
