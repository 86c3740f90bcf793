// The text helpers that error messages and file ordering rely on.
#include <doctest/doctest.h>

#include <limits>

#include "pipeline/core/text.h"

using namespace vidpred;

TEST_CASE("first_number: the first run of digits, -1 without one, the largest value past long long") {
  CHECK(first_number("traj_256_to_511.tfrecords") == 256);
  CHECK(first_number("7") == 7);
  CHECK(first_number("no digits") == -1);
  CHECK(first_number("") == -1);
  CHECK(first_number("x99999999999999999999999y") == std::numeric_limits<long long>::max());
}

TEST_CASE("did_you_mean: a close name is suggested, a far one is not") {
  CHECK(did_you_mean("pnsr", {"psnr", "ssim", "mse"}) == " (did you mean 'psnr'?)");
  CHECK(did_you_mean("completely_different", {"psnr", "ssim"}).empty());
  // A prefix is one edit away, but the closer spelling wins, in any order.
  CHECK(nearest_name("synthetic-smal", {"synthetic-small-prev", "synthetic-small"}) == "synthetic-small");
  CHECK(nearest_name("synthetic-smal", {"synthetic-small", "synthetic-small-prev"}) == "synthetic-small");
  CHECK(nearest_name("synth", {"synthetic-small"}) == "synthetic-small");
}
