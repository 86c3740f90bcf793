#include "converters/h5/handle.h"

#include <fmt/format.h>

#include "pipeline/core/error.h"

namespace vidpred::h5 {

namespace {
// Drops one reference. Datasets go through H5Dclose, which releases the
// identifier even when closing fails; H5Idec_ref keeps a failed one, and a
// half-closed file left behind that way (its final flush failed on a full
// disk) crashes HDF5 1.10's exit handler (H5F__close_cb).
herr_t release(hid_t id) { return H5Iget_type(id) == H5I_DATASET ? H5Dclose(id) : H5Idec_ref(id); }
}  // namespace

void Handle::reset() {
  if (id_ >= 0) {
    release(id_);
    id_ = H5I_INVALID_HID;
  }
}

bool Handle::close() {
  if (id_ < 0) return true;
  bool ok = release(id_) >= 0;
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

// HDF5's file driver describes a failed system call as "file write failed:
// time = <ctime, with its newline>, filename = ..., errno = 27, error message
// = 'File too large', buf = ..., offset = ..."; a user needs the first words
// and the reason, on one line.
std::string tidy(std::string text) {
  const std::string marker = "error message = '";
  auto at = text.find(marker);
  if (at != std::string::npos) {
    auto start = at + marker.size();
    auto end = text.find('\'', start);
    text = text.substr(0, text.find(':')) + ": " + text.substr(start, end == std::string::npos ? end : end - start);
  }
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}
}  // namespace

std::string error_text() {
  std::string text;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &text);
  return text.empty() ? "HDF5 error" : tidy(text);
}

hid_t check(hid_t id, std::string_view context) {
  if (id < 0) throw Error(fmt::format("{}: {}", context, error_text()));
  return id;
}

void check_status(herr_t status, std::string_view context) {
  if (status < 0) throw Error(fmt::format("{}: {}", context, error_text()));
}

}  // namespace vidpred::h5
