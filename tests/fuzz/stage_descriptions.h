#pragma once
// Every stage as a run file sees it (kind, name, former names, summary and
// schema), written to and read from text: the run-config fuzzer is torch-free
// and cannot compile the stages, so it reads stages.toml, which
// fuzz/stage_descriptions (a test of the LibTorch build) writes from the real
// registry and keeps in step with it.
#include <string>
#include <vector>

#include "pipeline/config/registry.h"

namespace vidpred::fuzz {

// The text of stages.toml for these stages (keys of the types stages use:
// flags, integers, floats and strings).
std::string describe_stages(const std::vector<const StageInfo*>& stages);

// A registry of descriptions (Registry::add_description) from that text.
Registry registry_of_descriptions(const std::string& text, const std::string& source);

// The registry the run-config fuzzer validates against: stages.toml's.
Registry run_config_registry();

}  // namespace vidpred::fuzz
