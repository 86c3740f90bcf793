#pragma once
// CRC-32C (Castagnoli), as TFRecord framing uses it. The SSE4.2 instruction is
// used when the processor has it (about 10 GB/s on one core), a slicing-by-8
// table otherwise.
#include <cstddef>
#include <cstdint>

namespace vidpred::crc32c {

// CRC of the bytes that `crc` covered followed by `data`.
uint32_t extend(uint32_t crc, const void* data, size_t size);
uint32_t extend_portable(uint32_t crc, const void* data, size_t size);
bool hardware_available();

inline uint32_t value(const void* data, size_t size) { return extend(0, data, size); }

// TFRecord stores CRCs masked, so that a CRC of data containing CRCs stays strong.
inline uint32_t mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t unmask(uint32_t masked) {
  uint32_t rotated = masked - 0xa282ead8u;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace vidpred::crc32c
