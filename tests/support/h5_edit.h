#pragma once
// Edits of a converted .h5 file for tests of what readers refuse.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>

#include "converters/h5/handle.h"

namespace vidpred::test {

// Overwrites the integer root attribute `name` of the file at `path`.
inline void set_int_attribute(const std::filesystem::path& path, const char* name, int64_t value) {
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  REQUIRE(file.valid());
  h5::Handle attr(H5Aopen(file, name, H5P_DEFAULT));
  REQUIRE(attr.valid());
  REQUIRE(H5Awrite(attr, H5T_NATIVE_INT64, &value) >= 0);
}

}  // namespace vidpred::test
