#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "converters/crc32c.h"

using namespace vidpred;

// Published CRC-32C check values: the "123456789" check of the Castagnoli CRC
// catalogue, and the iSCSI test patterns of RFC 3720 appendix B.4.
TEST_CASE("crc32c matches published vectors") {
  std::string check = "123456789";
  CHECK(crc32c::value(check.data(), check.size()) == 0xe3069283u);
  CHECK(crc32c::extend_portable(0, check.data(), check.size()) == 0xe3069283u);

  std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xff), ascending(32), descending(32);
  for (int i = 0; i < 32; ++i) {
    ascending[i] = uint8_t(i);
    descending[i] = uint8_t(31 - i);
  }
  CHECK(crc32c::value(zeros.data(), 32) == 0x8a9136aau);
  CHECK(crc32c::value(ones.data(), 32) == 0x62a8ab43u);
  CHECK(crc32c::value(ascending.data(), 32) == 0x46dd794eu);
  CHECK(crc32c::value(descending.data(), 32) == 0x113fdb5cu);
  CHECK(crc32c::value("", 0) == 0u);
}

TEST_CASE("crc32c hardware and table paths agree on every length and alignment") {
  std::vector<uint8_t> data(1031);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 131 + 7);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 1000}) {
      CHECK(crc32c::extend(0, data.data() + offset, n) == crc32c::extend_portable(0, data.data() + offset, n));
    }
  }
}

TEST_CASE("crc32c extends across split buffers") {
  std::string text = "the quick brown fox jumps over the lazy dog";
  uint32_t whole = crc32c::value(text.data(), text.size());
  uint32_t split = crc32c::extend(crc32c::value(text.data(), 10), text.data() + 10, text.size() - 10);
  CHECK(whole == split);
}

TEST_CASE("mask and unmask are inverse, and mask changes the value") {
  for (uint32_t v : {0u, 1u, 0xe3069283u, 0xffffffffu}) {
    CHECK(crc32c::unmask(crc32c::mask(v)) == v);
  }
  CHECK(crc32c::mask(0xe3069283u) != 0xe3069283u);
}
