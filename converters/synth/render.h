#pragma once
// Rendering: a backdrop computed once per trajectory, soft shadows on the
// table, then convex solids painted back to front with anti-aliased polygons.
#include <array>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "converters/synth/camera.h"
#include "converters/synth/scene.h"
#include "converters/synth/solids.h"
#include "converters/synth/textures.h"

namespace vidpred::synth {

constexpr int kRimPoints = 16;  // a cylinder's rim as a polygon

// One camera's view of a trajectory; keeps its buffers from frame to frame.
class View {
 public:
  View(const PinholeCamera& camera, const Exposure& exposure, const TableLook& table, int size);

  // Draws the scene as a size x size RGB frame into `out`.
  void render(const std::vector<Object>& objects, const Gripper& gripper, uint8_t* out);

 private:
  struct Ordered {
    float depth;
    bool cylinder;
    size_t index;
  };

  cv::Point pixel(Vec3 p) const;
  void draw_shadows();
  cv::Scalar lit(Vec3 color, float shade, Vec3 at) const;
  void draw_box(cv::Mat& img, const Box& b) const;
  void draw_cylinder(cv::Mat& img, const Cylinder& c) const;

  PinholeCamera camera_;
  Exposure exposure_;
  int size_;
  std::array<Vec2, kRimPoints> rim_;
  cv::Mat background_, shadow_;
  std::array<int, 256> shade_lut_;
  int blur_passes_ = 1;
  std::vector<uint16_t> blur_rows_;
  Solids solids_;
  std::vector<const Box*> by_shadow_;
  std::vector<Ordered> order_;
};

}  // namespace vidpred::synth
