#include "converters/synth/render.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "converters/synth/backdrop.h"
#include "converters/synth/hull.h"
#include "converters/synth/soften.h"

namespace vidpred::synth {
namespace {

constexpr int kShift = 4;  // sub-pixel bits for OpenCV drawing
constexpr int kMaxHullPoints = 2 * kRimPoints;

// Light from behind-left and high up; shadows fall forward-right.
const Vec3 kTowardLight = normalized({-0.3f, 0.35f, 1.0f});
const Vec2 kShadowPerHeight = {-kTowardLight.x / kTowardLight.z, -kTowardLight.y / kTowardLight.z};

Vec3 shadow_point(Vec3 p) { return at_height(p.xy() + kShadowPerHeight * p.z, 0); }

void fill_hull(cv::Mat& img, cv::Point* points, int n, const cv::Scalar& color, int line_type = cv::LINE_AA) {
  std::array<cv::Point, kMaxHullPoints + 1> hull;
  int h = convex_hull(points, n, hull.data());
  cv::fillConvexPoly(img, hull.data(), h, color, line_type, kShift);
}

float face_shade(Vec3 normal) { return 0.45f + 0.6f * std::max(0.0f, dot(normal, kTowardLight)); }

}  // namespace

View::View(const PinholeCamera& camera, const Exposure& exposure, const TableLook& table, int size)
    : camera_(camera), exposure_(exposure), size_(size) {
  for (int i = 0; i < kRimPoints; ++i) {
    rim_[i] = {std::cos(kTwoPi * i / kRimPoints), std::sin(kTwoPi * i / kRimPoints)};
  }
  background_.create(size, size, CV_8UC3);
  for (int v = 0; v < size; ++v) {
    auto* row = background_.ptr<uint8_t>(v);
    for (int u = 0; u < size; ++u) {
      Vec3 c = backdrop(table, camera.eye, camera.ray(u + 0.5f, v + 0.5f), camera.focal) *
               exposure.gain({u + 0.5f, v + 0.5f});
      row[3 * u + 0] = cv::saturate_cast<uint8_t>(c.x);
      row[3 * u + 1] = cv::saturate_cast<uint8_t>(c.y);
      row[3 * u + 2] = cv::saturate_cast<uint8_t>(c.z);
    }
  }
  for (int m = 0; m < 256; ++m) shade_lut_[m] = 256 - (m * 120) / 255;  // darkest shadow: 47%
  blur_passes_ = std::max(1, size / 48);
}

void View::render(const std::vector<Object>& objects, const Gripper& gripper, uint8_t* out) const {
  Solids solids;
  collect_solids(objects, gripper, solids);
  const std::vector<Box>& boxes = solids.boxes;
  const std::vector<Cylinder>& cylinders = solids.cylinders;
  cv::Mat frame(size_, size_, CV_8UC3, out);
  cv::Mat shadow(size_, size_, CV_8UC1);
  draw_shadows(solids, shadow);
  const uint8_t* bg = background_.data;
  const uint8_t* mask = shadow.data;
  std::copy(bg, bg + size_t(size_) * size_ * 3, out);
  for (int p = 0, n = size_ * size_; p < n; ++p) {
    if (mask[p] == 0) continue;  // most of the table is in the light
    int keep = shade_lut_[mask[p]];
    for (int c = 0; c < 3; ++c) out[3 * p + c] = uint8_t((bg[3 * p + c] * keep) >> 8);
  }
  // Painter's algorithm over the solids' centres: good enough for a few
  // separate convex things.
  std::vector<Ordered> order;
  order.reserve(boxes.size() + cylinders.size());
  for (size_t i = 0; i < boxes.size(); ++i) order.push_back({camera_.distance(boxes[i].center), false, i});
  for (size_t i = 0; i < cylinders.size(); ++i) {
    const Cylinder& c = cylinders[i];
    order.push_back({camera_.distance(c.base + Vec3{0, 0, c.height / 2}), true, i});
  }
  std::sort(order.begin(), order.end(), [](const Ordered& a, const Ordered& b) { return a.depth > b.depth; });
  for (const Ordered& o : order) {
    if (o.cylinder) {
      draw_cylinder(frame, cylinders[o.index]);
    } else {
      draw_box(frame, boxes[o.index]);
    }
  }
}

cv::Point View::pixel(Vec3 p) const {
  Vec2 q = camera_.project(p);
  constexpr float scale = 1 << kShift;
  // OpenCV puts integer coordinates at pixel centres.
  return {cvRound((q.x - 0.5f) * scale), cvRound((q.y - 0.5f) * scale)};
}

void View::draw_shadows(const Solids& solids, cv::Mat& shadow) const {
  // Hard edges here: the blur below softens them anyway.
  shadow.setTo(0);
  std::array<cv::Point, kMaxHullPoints> points;
  // Fainter shadows first, so that where they overlap the darker one wins.
  std::vector<const Box*> by_shadow;
  by_shadow.reserve(solids.boxes.size());
  for (const Box& b : solids.boxes) by_shadow.push_back(&b);
  std::sort(by_shadow.begin(), by_shadow.end(), [](const Box* a, const Box* b) { return a->shadow < b->shadow; });
  for (const Box* box : by_shadow) {
    const Box& b = *box;
    int n = 0;
    for (float i : {-1.0f, 1.0f}) {
      for (float j : {-1.0f, 1.0f}) {
        for (float l : {-1.0f, 1.0f}) {
          points[n++] = pixel(shadow_point(b.center + b.half[0] * i + b.half[1] * j + b.half[2] * l));
        }
      }
    }
    fill_hull(shadow, points.data(), n, cv::Scalar(b.shadow), cv::LINE_8);
  }
  for (const Cylinder& c : solids.cylinders) {
    int n = 0;
    for (Vec2 r : rim_) {
      Vec2 p = c.base.xy() + r * c.radius;
      points[n++] = pixel(at_height(p, 0));
      points[n++] = pixel(shadow_point(at_height(p, c.height)));
    }
    fill_hull(shadow, points.data(), n, cv::Scalar(255), cv::LINE_8);
  }
  std::vector<uint16_t> blur_rows;
  for (int pass = 0; pass < blur_passes_; ++pass) soften(shadow, blur_rows);
}

cv::Scalar View::lit(Vec3 color, float shade, Vec3 at) const {
  Vec3 c = color * exposure_.gain(camera_.project(at)) * shade;
  return cv::Scalar(c.x, c.y, c.z);
}

void View::draw_box(cv::Mat& img, const Box& b) const {
  std::array<cv::Point, 8> corners;
  int n = 0;
  for (float i : {-1.0f, 1.0f}) {
    for (float j : {-1.0f, 1.0f}) {
      for (float k : {-1.0f, 1.0f}) corners[n++] = pixel(b.center + b.half[0] * i + b.half[1] * j + b.half[2] * k);
    }
  }
  // The silhouette first, anti-aliased; the faces inside it need no AA, and
  // no seams between them show the table.
  fill_hull(img, corners.data(), n, lit(b.color, 0.5f, b.center));
  for (int axis = 0; axis < 3; ++axis) {
    for (float sign : {-1.0f, 1.0f}) {
      Vec3 normal = b.half[axis] * sign;
      Vec3 face_center = b.center + normal;
      if (dot(normal, camera_.eye - face_center) <= 0) continue;
      const Vec3& e1 = b.half[(axis + 1) % 3];
      const Vec3& e2 = b.half[(axis + 2) % 3];
      std::array<cv::Point, 4> face = {pixel(face_center - e1 - e2), pixel(face_center + e1 - e2),
                                       pixel(face_center + e1 + e2), pixel(face_center - e1 + e2)};
      float shade = face_shade(normalized(normal));
      cv::fillConvexPoly(img, face.data(), 4, lit(b.color, shade, face_center), cv::LINE_8, kShift);
    }
  }
}

void View::draw_cylinder(cv::Mat& img, const Cylinder& c) const {
  std::array<cv::Point, kMaxHullPoints> points;
  std::array<cv::Point, kRimPoints> top;
  std::array<cv::Point, kRimPoints> highlight;
  Vec2 light_side = limited(kTowardLight.xy() * 10.0f, 1.0f);
  for (int i = 0; i < kRimPoints; ++i) {
    Vec2 p = c.base.xy() + rim_[i] * c.radius;
    points[2 * i] = pixel(at_height(p, 0));
    top[i] = points[2 * i + 1] = pixel(at_height(p, c.height));
    Vec2 h = c.base.xy() + light_side * (0.3f * c.radius) + rim_[i] * (0.45f * c.radius);
    highlight[i] = pixel(at_height(h, c.height));
  }
  Vec3 middle = c.base + Vec3{0, 0, c.height / 2};
  fill_hull(img, points.data(), 2 * kRimPoints, lit(c.color, 0.62f, middle));
  Vec3 cap = c.base + Vec3{0, 0, c.height};
  cv::fillConvexPoly(img, top.data(), kRimPoints, lit(c.color, face_shade({0, 0, 1}), cap), cv::LINE_AA, kShift);
  cv::fillConvexPoly(img, highlight.data(), kRimPoints, lit(c.color, 1.15f, cap), cv::LINE_8, kShift);
}

}  // namespace vidpred::synth
