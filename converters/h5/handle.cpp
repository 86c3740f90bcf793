#include "converters/h5/handle.h"

#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred::h5 {

void Handle::reset() {
  if (id_ >= 0) {
    H5Idec_ref(id_);
    id_ = H5I_INVALID_HID;
  }
}

bool Handle::close() {
  if (id_ < 0) return true;
  bool ok = H5Idec_ref(id_) >= 0;
  id_ = H5I_INVALID_HID;
  return ok;
}

void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {
herr_t keep_innermost(unsigned n, const H5E_error2_t* entry, void* data) {
  auto* text = static_cast<std::string*>(data);
  if (n == 0 && entry->desc) *text = entry->desc;
  return 0;
}
}  // namespace

std::string error_text() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &text);
  return text.empty() ? "HDF5 error" : text;
}

hid_t check(hid_t id, std::string_view context) {
  if (id < 0) throw Error(fmt::format("{}: {}", context, error_text()));
  return id;
}

void check_status(herr_t status, std::string_view context) {
  if (status < 0) throw Error(fmt::format("{}: {}", context, error_text()));
}

}  // namespace vidpred::h5
