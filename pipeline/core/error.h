#pragma once
// Errors a user can cause (bad input, bad config, full disk) are vidpred::Error;
// the CLI catches them once and prints what() as one line. Messages carry their
// own context (file, record, key), so callers never need to catch and re-wrap.
#include <stdexcept>
#include <string>

namespace vidpred {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// This build lacks a library the input needs (PNG frames without OpenCV's
// imgcodecs): no input is damaged, so nothing skips it (--skip-corrupt).
class BuildLacks : public Error {
 public:
  using Error::Error;
};

// Thrown when the user interrupts (Ctrl-C, SIGTERM); the CLI exits with 130.
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

}  // namespace vidpred
