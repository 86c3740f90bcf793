#pragma once
#include <cstdint>

namespace vidpred::stages {

// The teacher-forcing ratio per epoch: each batch uses teacher forcing with
// this probability (decided once per batch).
class TeacherForcing {
 public:
  static constexpr const char* kKind = "teacher_forcing";
  static constexpr const char* kKindDoc = "teacher-forcing ratio schedule per epoch";
  virtual ~TeacherForcing() = default;
  virtual double ratio(int64_t epoch, int64_t epochs) const = 0;
};

}  // namespace vidpred::stages
