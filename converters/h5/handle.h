#pragma once
// RAII for HDF5 identifiers and error text from HDF5's error stack. Every
// HDF5 call in vidpred goes through these, so that no handle leaks on an
// exception and every failure names the file and what was being done.
#include <hdf5.h>

#include <string>
#include <string_view>

namespace vidpred::h5 {

class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.id_;
      other.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: handles are passed to the C API
  bool valid() const { return id_ >= 0; }
  // Closes now and reports failure (a close can flush, and so can fail).
  bool close();
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns off HDF5's printing of error stacks for the calling thread; our errors
// carry the useful line instead.
void quiet_errors();

// The most specific message on the current thread's HDF5 error stack.
std::string error_text();

// Throws vidpred::Error("<context>: <HDF5's reason>") when id/status is negative.
hid_t check(hid_t id, std::string_view context);
void check_status(herr_t status, std::string_view context);

}  // namespace vidpred::h5
