#include "converters/synth/soften.h"

#include <algorithm>

namespace vidpred::synth {

void soften(cv::Mat& mask, std::vector<uint16_t>& rows) {
  const int w = mask.cols, h = mask.rows;
  rows.resize(size_t(w) * h);
  for (int y = 0; y < h; ++y) {
    const uint8_t* in = mask.ptr<uint8_t>(y);
    uint16_t* out = &rows[size_t(y) * w];
    auto at = [&](int x) { return uint16_t(in[std::clamp(x, 0, w - 1)]); };
    for (int x : {0, 1, w - 2, w - 1}) out[x] = at(x - 2) + 4 * at(x - 1) + 6 * at(x) + 4 * at(x + 1) + at(x + 2);
    for (int x = 2; x < w - 2; ++x) {
      out[x] = uint16_t(in[x - 2] + 4 * in[x - 1] + 6 * in[x] + 4 * in[x + 1] + in[x + 2]);
    }
  }
  for (int y = 0; y < h; ++y) {
    const uint16_t* r[5];
    for (int k = 0; k < 5; ++k) r[k] = &rows[size_t(std::clamp(y + k - 2, 0, h - 1)) * w];
    uint8_t* out = mask.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      out[x] = uint8_t((r[0][x] + 4 * r[1][x] + 6 * r[2][x] + 4 * r[3][x] + r[4][x] + 128) >> 8);
    }
  }
}

}  // namespace vidpred::synth
