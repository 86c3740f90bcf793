#pragma once
// Each group of subcommands registers itself on the `vidpred` app. Commands
// throw vidpred::Error; main() prints it as one line.
#include <CLI/CLI.hpp>

#include "pipeline/core/cancel.h"

namespace vidpred::cli {

void add_data_commands(CLI::App& app, const CancelToken& cancel);   // synth, convert, inspect
void add_bench_commands(CLI::App& app, const CancelToken& cancel);  // bench ...
void add_run_commands(CLI::App& app, const CancelToken& cancel);    // config, stages, model, train, eval, predict
void add_bench_run_commands(CLI::App& bench, const CancelToken& cancel);  // bench data, train, eval

}  // namespace vidpred::cli
