#pragma once
// Rendering: a backdrop computed once per camera, soft shadows on the table,
// then convex solids painted back to front with anti-aliased polygons.
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

// One camera's view of the table. Nothing in it changes after construction
// (render() keeps its scratch buffers to itself), so environments and threads
// can share one View.
class View {
 public:
  View(const PinholeCamera& camera, const Exposure& exposure, const TableLook& table, int size);

  // Draws the scene as a size x size RGB frame into `out`.
  void render(const std::vector<Object>& objects, const Gripper& gripper, uint8_t* out) const;

 private:
  struct Ordered {
    float depth;
    bool cylinder;
    size_t index;
  };

  cv::Point pixel(Vec3 p) const;
  // The soft shadow mask of `solids` into `shadow` (size x size, 8 bits).
  void draw_shadows(const Solids& solids, cv::Mat& shadow) const;
  cv::Scalar lit(Vec3 color, float shade, Vec3 at) const;
  void draw_box(cv::Mat& img, const Box& b) const;
  void draw_cylinder(cv::Mat& img, const Cylinder& c) const;

  PinholeCamera camera_;
  Exposure exposure_;
  int size_;
  std::array<Vec2, kRimPoints> rim_;
  cv::Mat background_;  // never written after construction
  std::array<int, 256> shade_lut_;
  int blur_passes_ = 1;
};

}  // namespace vidpred::synth
