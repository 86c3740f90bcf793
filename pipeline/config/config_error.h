#pragma once
#include "pipeline/core/error.h"

namespace vidpred {

// A problem with a run file or an override; the message names the file, the
// table and the key.
class ConfigError : public Error {
 public:
  using Error::Error;
};

}  // namespace vidpred
