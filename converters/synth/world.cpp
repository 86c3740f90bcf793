#include "converters/synth/world.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/core/random.h"

namespace vidpred::synth {
namespace {

// ---------------------------------------------------------------------------
// Units. Table coordinates: the table top is the plane z = 0, x to the right
// and y away from the main camera; the aux1 camera looks straight down and
// sees x, y in [-1, 1] (+y at the top of its image). Heights use the same unit.
// One table unit is size/2 pixels in aux1, so a 0.1 step is 3.2 px at 64x64.

constexpr float kReach = 0.85f;     // end-effector x, y clamp: [-kReach, kReach]
constexpr float kMaxHeight = 0.5f;  // end-effector z clamp: [0, kMaxHeight]
constexpr float kMaxStep = 0.1f;    // policy's |dx|, |dy| per frame
constexpr float kMaxLift = 0.08f;   // policy's |dz| per frame
constexpr float kHoverZ = 0.3f;     // above every object, so travel does not push
constexpr float kPushZ = 0.02f;     // fingertips just above the table while pushing
constexpr float kGripperRadius = 0.13f;  // the gripper's footprint for pushing
constexpr float kObjectBound = 0.95f;    // objects' footprints stay inside this square
constexpr float kTableHalf = 1.3f;       // the table is larger than the workspace
constexpr float kTwoPi = 6.28318531f;

// ---------------------------------------------------------------------------
// Randomness: our own generator and distributions, so that the bytes do not
// depend on the standard library. Floats, unlike pipeline's CounterRng.

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() { return splitmix64(state_ += 0x9e3779b97f4a7c15ull); }
  float uniform() { return float(next() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  int below(int n) { return int((next() >> 33) % uint64_t(n)); }
  bool chance(float p) { return uniform() < p; }
  // Irwin-Hall: plain arithmetic, unit variance, close enough to a normal.
  float normal() { return (uniform() + uniform() + uniform() + uniform() - 2.0f) * 1.7320508f; }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// Small vector maths.

struct Vec2 {
  float x = 0, y = 0;
};
inline Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
inline Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
inline Vec2 operator*(Vec2 a, float s) { return {a.x * s, a.y * s}; }
inline float dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
inline float cross(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }
inline float length(Vec2 a) { return std::sqrt(dot(a, a)); }

struct Vec3 {
  float x = 0, y = 0, z = 0;
  Vec2 xy() const { return {x, y}; }
};
inline Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
inline Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
inline Vec3 operator*(Vec3 a, float s) { return {a.x * s, a.y * s, a.z * s}; }
inline Vec3 operator*(Vec3 a, Vec3 b) { return {a.x * b.x, a.y * b.y, a.z * b.z}; }
inline float dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline Vec3 cross(Vec3 a, Vec3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline float length(Vec3 a) { return std::sqrt(dot(a, a)); }
inline Vec3 normalized(Vec3 a) { return a * (1.0f / std::sqrt(dot(a, a))); }
inline Vec3 lerp(Vec3 a, Vec3 b, float t) { return a + (b - a) * t; }
inline Vec3 at_height(Vec2 p, float z) { return {p.x, p.y, z}; }

Vec2 limited(Vec2 v, float max_length) {
  float l = length(v);
  return l > max_length ? v * (max_length / l) : v;
}

// ---------------------------------------------------------------------------
// The world's state.

struct Object {
  bool is_box = false;
  Vec2 pos;
  float radius = 0;  // for pushing; a box's half side is radius / kBoxRoundness
  float height = 0;
  float yaw = 0;
  Vec3 color;
};
constexpr float kBoxRoundness = 1.2f;  // boxes collide like a circle a bit past their sides

struct Gripper {
  Vec3 pos;             // fingertips
  float openness = 1;   // 1: fully open, 0: closed
  float yaw = 0;        // the direction the fingers open along
};

// Light from behind-left and high up; shadows fall forward-right.
const Vec3 kTowardLight = normalized({-0.3f, 0.35f, 1.0f});
const Vec2 kShadowPerHeight = {-kTowardLight.x / kTowardLight.z, -kTowardLight.y / kTowardLight.z};

// ---------------------------------------------------------------------------
// Physics: kinematic pushing. The gripper never yields; objects it touches
// while low slide out of its way along its motion, then objects separate
// from each other and are kept on the table.

void keep_on_table(Object& o) {
  float bound = kObjectBound - o.radius;
  o.pos.x = std::clamp(o.pos.x, -bound, bound);
  o.pos.y = std::clamp(o.pos.y, -bound, bound);
}

void separate_objects(std::vector<Object>& objects) {
  for (size_t i = 0; i < objects.size(); ++i) {
    for (size_t j = i + 1; j < objects.size(); ++j) {
      Vec2 apart = objects[j].pos - objects[i].pos;
      float distance = length(apart);
      float overlap = objects[i].radius + objects[j].radius - distance;
      if (overlap <= 0) continue;
      Vec2 dir = distance > 1e-5f ? apart * (1 / distance) : Vec2{1, 0};
      objects[i].pos = objects[i].pos - dir * (overlap / 2);
      objects[j].pos = objects[j].pos + dir * (overlap / 2);
    }
  }
}

void push_objects(Vec3 from, Vec3 to, std::vector<Object>& objects) {
  Vec2 motion = to.xy() - from.xy();
  float travelled = length(motion);
  for (int pass = 0; pass < 3; ++pass) {
    for (Object& o : objects) {
      if (to.z >= o.height) continue;  // the fingers pass over it
      float contact = o.radius + kGripperRadius;
      Vec2 offset = o.pos - to.xy();
      float distance = length(offset);
      if (distance >= contact) continue;
      if (pass == 0 && travelled > 1e-4f) {
        // Slide along the motion until just touching: |offset + s dir| = contact.
        Vec2 dir = motion * (1 / travelled);
        float b = dot(offset, dir);
        float s = -b + std::sqrt(std::max(0.0f, b * b - distance * distance + contact * contact));
        o.pos = o.pos + dir * s;
        // An off-centre push turns the object a little.
        o.yaw += 2.0f * s * cross(dir, offset) / (contact * contact);
      } else {
        Vec2 dir = distance > 1e-5f ? offset * (1 / distance) : Vec2{0, -1};
        o.pos = to.xy() + dir * contact;
      }
    }
    separate_objects(objects);
    for (Object& o : objects) keep_on_table(o);
  }
}

// ---------------------------------------------------------------------------
// The policy: pick an object and a spot on the table to push it towards, fly
// over to just behind it, go down, push through, lift, repeat. A fraction of
// trajectories wander between random waypoints instead (bumping into things
// when they happen to be low). Noise and low-pass filtering keep it smooth.

class Policy {
 public:
  Policy(Rng& rng, bool wanders) : rng_(rng), wanders_(wanders) {}

  std::array<float, 4> act(const Gripper& gripper, const std::vector<Object>& objects) {
    Vec3 desired = wanders_ ? wander(gripper.pos) : push(gripper.pos, objects);
    noise_ = noise_ * 0.7f + Vec3{rng_.normal(), rng_.normal(), rng_.normal() * 0.3f} * 0.015f;
    smoothed_ = smoothed_ * 0.35f + (desired + noise_) * 0.65f;
    smoothed_.x = std::clamp(smoothed_.x, -kMaxStep, kMaxStep);
    smoothed_.y = std::clamp(smoothed_.y, -kMaxStep, kMaxStep);
    smoothed_.z = std::clamp(smoothed_.z, -kMaxLift, kMaxLift);
    if (rng_.chance(0.08f)) closing_ = !closing_;
    return {smoothed_.x, smoothed_.y, smoothed_.z, closing_ ? 1.0f : -1.0f};
  }

  void choose_target(Vec2 gripper, const std::vector<Object>& objects, bool nearest) {
    int n = int(objects.size());
    if (nearest) {
      auto closer = [&](const Object& a, const Object& b) {
        return length(a.pos - gripper) < length(b.pos - gripper);
      };
      target_ = int(std::min_element(objects.begin(), objects.end(), closer) - objects.begin());
    } else {
      target_ = n > 1 ? (target_ + 1 + rng_.below(n - 1)) % n : 0;
    }
    const Object& o = objects[target_];
    Vec2 goal = {rng_.uniform(-0.55f, 0.55f), rng_.uniform(-0.55f, 0.55f)};
    Vec2 to_goal = goal - o.pos;
    float distance = length(to_goal);
    if (distance < 0.15f) {
      float angle = rng_.uniform(0, kTwoPi);
      to_goal = {std::cos(angle), std::sin(angle)};
      distance = 1;
    }
    direction_ = to_goal * (1 / distance);
    push_length_ = std::clamp(distance, 0.2f, 0.5f);
    push_speed_ = rng_.uniform(0.05f, 0.09f);
    phase_ = Phase::approach;
  }

 private:
  enum class Phase { approach, push, retreat };

  static float toward_height(float z, float goal) { return (goal - z) * 0.6f; }

  Vec3 push(Vec3 g, const std::vector<Object>& objects) {
    const Object& o = objects[target_];
    float standoff = o.radius + kGripperRadius + 0.05f;
    if (phase_ == Phase::approach) {
      Vec2 behind = o.pos - direction_ * standoff;
      behind.x = std::clamp(behind.x, -kReach, kReach);
      behind.y = std::clamp(behind.y, -kReach, kReach);
      Vec2 to = behind - g.xy();
      float distance = length(to);
      if (distance < 0.06f && g.z < kPushZ + 0.05f) {
        phase_ = Phase::push;
        push_start_ = g.xy();
      }
      // Stay up until lined up behind the object, so travel does not knock things.
      float goal_z = distance > 0.18f ? kHoverZ : kPushZ;
      Vec2 v = limited(to * 0.6f, kMaxStep);
      return {v.x, v.y, toward_height(g.z, goal_z)};
    }
    if (phase_ == Phase::push) {
      // Steer onto the line through the object's centre so it goes straight.
      Vec2 off = o.pos - g.xy();
      Vec2 sideways = off - direction_ * dot(off, direction_);
      Vec2 v = direction_ * push_speed_ + sideways * 0.4f;
      float progress = dot(g.xy() - push_start_, direction_);
      bool at_edge = std::abs(g.x) > kReach - 0.02f || std::abs(g.y) > kReach - 0.02f;
      if (progress > push_length_ + 0.05f || (at_edge && progress > 0.1f)) phase_ = Phase::retreat;
      return {v.x, v.y, toward_height(g.z, kPushZ)};
    }
    // Retreat: back off a little while lifting, then go for another object.
    if (g.z > kHoverZ - 0.06f) {
      choose_target(g.xy(), objects, false);
      return push(g, objects);
    }
    Vec2 v = direction_ * -0.03f;
    return {v.x, v.y, toward_height(g.z, kHoverZ)};
  }

  Vec3 wander(Vec3 g) {
    if (--waypoint_frames_ <= 0 || length(waypoint_ - g) < 0.08f) {
      waypoint_ = {rng_.uniform(-0.8f, 0.8f), rng_.uniform(-0.8f, 0.8f), rng_.uniform(0, 0.35f)};
      waypoint_frames_ = 6 + rng_.below(10);
    }
    Vec2 v = limited((waypoint_ - g).xy() * 0.5f, kMaxStep);
    return {v.x, v.y, toward_height(g.z, waypoint_.z)};
  }

  Rng& rng_;
  bool wanders_;
  Phase phase_ = Phase::approach;
  int target_ = 0;
  Vec2 direction_{1, 0};
  float push_length_ = 0.3f, push_speed_ = 0.07f;
  Vec2 push_start_;
  Vec3 waypoint_;
  int waypoint_frames_ = 0;
  Vec3 noise_, smoothed_;
  bool closing_ = false;
};

// ---------------------------------------------------------------------------
// Procedural table texture, value noise on a hashed lattice.

uint32_t hash2(int x, int y, uint32_t salt) {
  uint32_t h = uint32_t(x) * 0x8da6b343u ^ uint32_t(y) * 0xd8163841u ^ salt * 0xcb1ab31fu;
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  h *= 0x297a2d39u;
  return h ^ (h >> 15);
}
float hash_unit(int x, int y, uint32_t salt) { return float(hash2(x, y, salt) >> 8) * (1.0f / 16777216.0f); }

float value_noise(float x, float y, uint32_t salt) {
  float fx = std::floor(x), fy = std::floor(y);
  int ix = int(fx), iy = int(fy);
  float tx = x - fx, ty = y - fy;
  tx = tx * tx * (3 - 2 * tx);
  ty = ty * ty * (3 - 2 * ty);
  float a = hash_unit(ix, iy, salt), b = hash_unit(ix + 1, iy, salt);
  float c = hash_unit(ix, iy + 1, salt), d = hash_unit(ix + 1, iy + 1, salt);
  return (a + (b - a) * tx) + ((c + (d - c) * tx) - (a + (b - a) * tx)) * ty;
}

struct TableLook {
  bool wood = true;
  Vec3 dark, light;
  float cos_angle = 1, sin_angle = 0;
  float plank_width = 0.35f, grain_frequency = 6;
  Vec2 offset;
  uint32_t salt = 0;
};

TableLook random_table(Rng& rng) {
  static constexpr std::array<std::array<Vec3, 2>, 3> kWoods = {{
      {{{150, 105, 65}, {205, 165, 115}}},  // oak
      {{{85, 55, 35}, {145, 100, 65}}},     // walnut
      {{{180, 150, 112}, {228, 205, 165}}}, // birch
  }};
  static constexpr std::array<std::array<Vec3, 2>, 3> kLaminates = {{
      {{{105, 112, 125}, {160, 168, 178}}},  // grey-blue
      {{{110, 100, 90}, {175, 165, 150}}},   // taupe
      {{{75, 80, 78}, {125, 132, 128}}},     // dark slate
  }};
  TableLook t;
  t.wood = rng.chance(0.6f);
  const auto& palette = (t.wood ? kWoods : kLaminates)[rng.below(3)];
  Vec3 jitter = {rng.uniform(0.92f, 1.08f), rng.uniform(0.92f, 1.08f), rng.uniform(0.92f, 1.08f)};
  t.dark = palette[0] * jitter;
  t.light = palette[1] * jitter;
  float angle = rng.uniform(0, kTwoPi);
  t.cos_angle = std::cos(angle);
  t.sin_angle = std::sin(angle);
  t.plank_width = rng.uniform(0.28f, 0.5f);
  t.grain_frequency = rng.uniform(4, 8);
  t.salt = uint32_t(rng.next());
  return t;
}

// Texture detail finer than a pixel's footprint (in table units) fades to its
// average instead of aliasing: one sample a pixel is then enough.
float detail(float frequency, float footprint) { return std::clamp(1.0f - 0.8f * frequency * footprint, 0.0f, 1.0f); }

Vec3 wood_color(const TableLook& t, float u, float v, float footprint) {
  float across_planks = v / t.plank_width;
  float plank = std::floor(across_planks);
  float within = across_planks - plank;
  int plank_id = int(plank);
  float tone = 0.88f + 0.24f * hash_unit(plank_id, 1, t.salt);
  float stagger = 37.0f * hash_unit(plank_id, 2, t.salt);
  float warp = value_noise(u * 1.3f + stagger, v * 2.0f, t.salt);
  float grain = 0.5f + 0.5f * detail(t.grain_frequency, footprint) *
                           std::sin(kTwoPi * (v * t.grain_frequency + 2.5f * warp));
  constexpr float kFibreFrequency = 14;
  float fibre = 0.5f + detail(kFibreFrequency, footprint) *
                           (value_noise(u * 3.0f + stagger, v * kFibreFrequency, t.salt + 1) - 0.5f);
  Vec3 c = lerp(t.dark, t.light, 0.55f * grain * grain + 0.45f * fibre) * tone;
  // How much of the pixel the dark gap between planks covers.
  constexpr float kSeamHalfWidth = 0.012f;
  float to_seam = std::min(within, 1 - within) * t.plank_width;
  float seam = std::clamp((kSeamHalfWidth + footprint / 2 - to_seam) / footprint, 0.0f, 1.0f) *
               std::min(1.0f, 2 * kSeamHalfWidth / footprint);
  return c * (1 - 0.4f * seam);
}

Vec3 laminate_color(const TableLook& t, float u, float v, float footprint) {
  float mottle = 0.6f * value_noise(u * 2.5f, v * 2.5f, t.salt) +
                 0.4f * (0.5f + detail(7, footprint) * (value_noise(u * 7, v * 7, t.salt + 1) - 0.5f));
  constexpr float kSpeckFrequency = 14;
  float speck = std::clamp((value_noise(u * kSpeckFrequency, v * kSpeckFrequency, t.salt + 2) - 0.72f) * 12, 0.0f, 1.0f);
  speck = 0.15f + detail(kSpeckFrequency, footprint) * (speck - 0.15f);
  return lerp(t.dark, t.light, mottle) * (1 - 0.2f * speck);
}

Vec3 table_color(const TableLook& t, float x, float y, float footprint) {
  float u = t.cos_angle * x + t.sin_angle * y + t.offset.x;
  float v = -t.sin_angle * x + t.cos_angle * y + t.offset.y;
  return t.wood ? wood_color(t, u, v, footprint) : laminate_color(t, u, v, footprint);
}

// What a ray from the camera sees when it misses every solid: the table, its
// edge, the floor around it, or (above the horizon) a wall.
// `ray` has unit depth along the camera's axis, so eye + ray * t lies at depth t.
Vec3 backdrop(const TableLook& table, Vec3 eye, Vec3 ray, float focal) {
  const Vec3 wall = {178, 180, 176};
  if (ray.z > -1e-4f) return wall;
  float t = -eye.z / ray.z;
  Vec3 hit = eye + ray * t;
  // A pixel's width on the table grows with distance and with grazing angle.
  float slant = -ray.z / length(ray);
  float footprint = t / focal / std::max(slant, 0.25f);
  // The table top, its shaded edge, then the floor; borders blended over a pixel.
  constexpr float kEdgeWidth = 0.05f;
  float edge = std::max(std::abs(hit.x), std::abs(hit.y));
  auto inside = [&](float border) { return std::clamp((border - edge) / footprint + 0.5f, 0.0f, 1.0f); };
  float on_top = inside(kTableHalf), on_table = inside(kTableHalf + kEdgeWidth);
  Vec3 floor = Vec3{92, 90, 88} * (0.9f + 0.2f * value_noise(hit.x * 3, hit.y * 3, 99));
  Vec3 rim = (table.dark + table.light) * 0.3f;
  Vec3 c = lerp(floor, rim, on_table);
  if (on_top > 0) c = lerp(c, table_color(table, hit.x, hit.y, footprint), on_top);
  float haze = std::clamp((t * length(ray) - 4.0f) / 4.0f, 0.0f, 1.0f);
  return lerp(c, wall, haze);
}

// ---------------------------------------------------------------------------
// Cameras: a pinhole looking at the table. Pixel coordinates are continuous
// with pixel (i, j) covering [i, i+1) x [j, j+1).

struct Camera {
  Vec3 eye, right, down, forward;
  float focal = 1, center = 0;

  static Camera look_at(Vec3 eye, Vec3 target, Vec3 up, float focal, int size) {
    Camera c;
    c.eye = eye;
    c.forward = normalized(target - eye);
    c.right = normalized(cross(c.forward, up));
    c.down = cross(c.forward, c.right);
    c.focal = focal;
    c.center = size * 0.5f;
    return c;
  }
  Vec2 project(Vec3 p) const {
    Vec3 q = p - eye;
    float depth = dot(q, forward);
    return {center + focal * dot(q, right) / depth, center + focal * dot(q, down) / depth};
  }
  Vec3 ray(float u, float v) const {
    return forward + right * ((u - center) / focal) + down * ((v - center) / focal);
  }
  float distance(Vec3 p) const { return length(p - eye); }
};

// Each camera has its own exposure: a colour tint, a brightness slope across
// the image and a vignette, so the two views are lit differently.
struct Exposure {
  Vec3 tint{1, 1, 1};
  Vec2 slope;
  float vignette = 0;
  float size = 64;

  Vec3 gain(Vec2 pixel) const {
    float nu = pixel.x / size * 2 - 1, nv = pixel.y / size * 2 - 1;
    return tint * (1 + slope.x * nu + slope.y * nv - vignette * (nu * nu + nv * nv));
  }
};

// ---------------------------------------------------------------------------
// Rendering: a backdrop computed once per trajectory, soft shadows on the
// table, then convex solids painted back to front with anti-aliased polygons.

struct Box {
  Vec3 center;
  std::array<Vec3, 3> half;  // half-extent vectors; half[2] points up
  Vec3 color;
  uint8_t shadow = 255;      // how dark a shadow it casts
};

struct Cylinder {
  Vec3 base;
  float radius = 0, height = 0;
  Vec3 color;
};

constexpr int kShift = 4;  // sub-pixel bits for OpenCV drawing
constexpr int kRimPoints = 16;
constexpr int kMaxHullPoints = 2 * kRimPoints;

// By x, then y. An insertion sort: n is at most kMaxHullPoints, and GCC 12
// inlines std::sort for the 8 corners of a box into pages of false
// -Warray-bounds warnings. Points equal in order are equal, so any correct
// sort gives the same hull.
void sort_points(cv::Point* points, int n) {
  auto before = [](cv::Point a, cv::Point b) { return a.x < b.x || (a.x == b.x && a.y < b.y); };
  for (int i = 1; i < n; ++i) {
    const cv::Point p = points[i];
    int j = i;
    for (; j > 0 && before(p, points[j - 1]); --j) points[j] = points[j - 1];
    points[j] = p;
  }
}

// Monotone chain; returns the hull's size.
int convex_hull(cv::Point* points, int n, cv::Point* hull) {
  sort_points(points, n);
  auto turn = [](cv::Point o, cv::Point a, cv::Point b) {
    return int64_t(a.x - o.x) * (b.y - o.y) - int64_t(a.y - o.y) * (b.x - o.x);
  };
  int k = 0;
  for (int i = 0; i < n; ++i) {
    while (k >= 2 && turn(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  for (int i = n - 2, lower = k + 1; i >= 0; --i) {
    while (k >= lower && turn(hull[k - 2], hull[k - 1], points[i]) <= 0) --k;
    hull[k++] = points[i];
  }
  return std::max(1, k - 1);
}

// Binomial 1-4-6-4-1 blur in plain loops: cheap at these sizes, and unlike
// cv::GaussianBlur it never hands work to a thread pool.
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

class View {
 public:
  View(const Camera& camera, const Exposure& exposure, const TableLook& table, int size)
      : camera_(camera), exposure_(exposure), size_(size) {
    for (int i = 0; i < kRimPoints; ++i) {
      rim_[i] = {std::cos(kTwoPi * i / kRimPoints), std::sin(kTwoPi * i / kRimPoints)};
    }
    background_.create(size, size, CV_8UC3);
    shadow_.create(size, size, CV_8UC1);
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

  void render(const std::vector<Object>& objects, const Gripper& gripper, uint8_t* out) {
    collect(objects, gripper);
    cv::Mat frame(size_, size_, CV_8UC3, out);
    draw_shadows();
    const uint8_t* bg = background_.data;
    const uint8_t* mask = shadow_.data;
    std::copy(bg, bg + size_t(size_) * size_ * 3, out);
    for (int p = 0, n = size_ * size_; p < n; ++p) {
      if (mask[p] == 0) continue;  // most of the table is in the light
      int keep = shade_lut_[mask[p]];
      for (int c = 0; c < 3; ++c) out[3 * p + c] = uint8_t((bg[3 * p + c] * keep) >> 8);
    }
    // Painter's algorithm over the solids' centres: good enough for a few
    // separate convex things.
    order_.clear();
    for (size_t i = 0; i < boxes_.size(); ++i) order_.push_back({camera_.distance(boxes_[i].center), false, i});
    for (size_t i = 0; i < cylinders_.size(); ++i) {
      const Cylinder& c = cylinders_[i];
      order_.push_back({camera_.distance(c.base + Vec3{0, 0, c.height / 2}), true, i});
    }
    std::sort(order_.begin(), order_.end(), [](const Ordered& a, const Ordered& b) { return a.depth > b.depth; });
    for (const Ordered& o : order_) {
      if (o.cylinder) {
        draw_cylinder(frame, cylinders_[o.index]);
      } else {
        draw_box(frame, boxes_[o.index]);
      }
    }
  }

 private:
  struct Ordered {
    float depth;
    bool cylinder;
    size_t index;
  };

  // The scene as solids.
  void collect(const std::vector<Object>& objects, const Gripper& g) {
    boxes_.clear();
    cylinders_.clear();
    for (const Object& o : objects) {
      if (o.is_box) {
        float half = o.radius / kBoxRoundness;
        Vec3 along = {std::cos(o.yaw), std::sin(o.yaw), 0};
        Vec3 across = {-along.y, along.x, 0};
        boxes_.push_back({at_height(o.pos, o.height / 2), {along * half, across * half, {0, 0, o.height / 2}}, o.color});
      } else {
        cylinders_.push_back({at_height(o.pos, 0), o.radius, o.height, o.color});
      }
    }
    // The gripper: two fingers, a palm, a wrist and an arm reaching in from
    // behind the table. Higher up it casts a fainter shadow.
    const Vec3 finger_color = {52, 52, 58}, palm_color = {85, 88, 95}, arm_color = {175, 172, 168};
    uint8_t gripper_shadow = uint8_t(230 - 110 * (g.pos.z / kMaxHeight));
    Vec3 along = {std::cos(g.yaw), std::sin(g.yaw), 0};
    Vec3 across = {-along.y, along.x, 0};
    Vec3 up = {0, 0, 1};
    // The palm is narrower than the open fingers, so the top view shows them.
    float spread = 0.05f + 0.05f * g.openness;
    for (float side : {-1.0f, 1.0f}) {
      Vec3 center = g.pos + along * (side * spread) + up * 0.07f;
      boxes_.push_back({center, {along * 0.024f, across * 0.05f, up * 0.07f}, finger_color, gripper_shadow});
    }
    boxes_.push_back({g.pos + up * 0.16f, {along * 0.075f, across * 0.03f, up * 0.025f}, palm_color, gripper_shadow});
    boxes_.push_back({g.pos + up * 0.3f, {along * 0.04f, across * 0.03f, up * 0.12f}, palm_color, gripper_shadow});
    // The arm, in a few segments so the back-to-front order stays right along it.
    const Vec3 shoulder = {0.0f, 1.9f, 1.3f};
    Vec3 wrist = g.pos + up * 0.42f;
    constexpr int kSegments = 2;
    for (int i = 0; i < kSegments; ++i) {
      Vec3 a = lerp(wrist, shoulder, float(i) / kSegments);
      Vec3 b = lerp(wrist, shoulder, float(i + 1) / kSegments);
      Vec3 axis = (b - a) * 0.5f;
      Vec3 side = normalized(cross(axis, up)) * 0.035f;
      Vec3 top = normalized(cross(side, axis)) * 0.035f;
      boxes_.push_back({(a + b) * 0.5f, {side, top, axis * 1.08f}, arm_color, 150});
    }
  }

  cv::Point pixel(Vec3 p) const {
    Vec2 q = camera_.project(p);
    constexpr float scale = 1 << kShift;
    // OpenCV puts integer coordinates at pixel centres.
    return {cvRound((q.x - 0.5f) * scale), cvRound((q.y - 0.5f) * scale)};
  }
  Vec3 shadow_point(Vec3 p) const { return at_height(p.xy() + kShadowPerHeight * p.z, 0); }

  static void fill_hull(cv::Mat& img, cv::Point* points, int n, const cv::Scalar& color, int line_type = cv::LINE_AA) {
    std::array<cv::Point, kMaxHullPoints + 1> hull;
    int h = convex_hull(points, n, hull.data());
    cv::fillConvexPoly(img, hull.data(), h, color, line_type, kShift);
  }

  void draw_shadows() {
    // Hard edges here: the blur below softens them anyway.
    shadow_.setTo(0);
    std::array<cv::Point, kMaxHullPoints> points;
    // Fainter shadows first, so that where they overlap the darker one wins.
    by_shadow_.clear();
    for (const Box& b : boxes_) by_shadow_.push_back(&b);
    std::sort(by_shadow_.begin(), by_shadow_.end(), [](const Box* a, const Box* b) { return a->shadow < b->shadow; });
    for (const Box* box : by_shadow_) {
      const Box& b = *box;
      int n = 0;
      for (float i : {-1.0f, 1.0f}) {
        for (float j : {-1.0f, 1.0f}) {
          for (float l : {-1.0f, 1.0f}) {
            points[n++] = pixel(shadow_point(b.center + b.half[0] * i + b.half[1] * j + b.half[2] * l));
          }
        }
      }
      fill_hull(shadow_, points.data(), n, cv::Scalar(b.shadow), cv::LINE_8);
    }
    for (const Cylinder& c : cylinders_) {
      int n = 0;
      for (Vec2 r : rim_) {
        Vec2 p = c.base.xy() + r * c.radius;
        points[n++] = pixel(at_height(p, 0));
        points[n++] = pixel(shadow_point(at_height(p, c.height)));
      }
      fill_hull(shadow_, points.data(), n, cv::Scalar(255), cv::LINE_8);
    }
    for (int pass = 0; pass < blur_passes_; ++pass) soften(shadow_, blur_rows_);
  }

  cv::Scalar lit(Vec3 color, float shade, Vec3 at) const {
    Vec3 c = color * exposure_.gain(camera_.project(at)) * shade;
    return cv::Scalar(c.x, c.y, c.z);
  }
  static float face_shade(Vec3 normal) { return 0.45f + 0.6f * std::max(0.0f, dot(normal, kTowardLight)); }

  void draw_box(cv::Mat& img, const Box& b) const {
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

  void draw_cylinder(cv::Mat& img, const Cylinder& c) const {
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

  Camera camera_;
  Exposure exposure_;
  int size_;
  std::array<Vec2, kRimPoints> rim_;
  cv::Mat background_, shadow_;
  std::array<int, 256> shade_lut_;
  int blur_passes_ = 1;
  std::vector<uint16_t> blur_rows_;
  std::vector<Box> boxes_;
  std::vector<const Box*> by_shadow_;
  std::vector<Cylinder> cylinders_;
  std::vector<Ordered> order_;
};

// ---------------------------------------------------------------------------
// Setting up a trajectory.

std::vector<Object> random_objects(Rng& rng) {
  static constexpr std::array<Vec3, 8> kPalette = {{
      {205, 40, 40}, {40, 165, 70}, {45, 85, 215}, {235, 200, 40},
      {150, 60, 190}, {245, 125, 30}, {40, 190, 200}, {235, 235, 230},
  }};
  std::array<int, kPalette.size()> colors;
  for (size_t i = 0; i < colors.size(); ++i) colors[i] = int(i);
  std::vector<Object> objects(2 + rng.below(3));
  for (size_t i = 0; i < objects.size(); ++i) {
    std::swap(colors[i], colors[i + rng.below(int(colors.size() - i))]);  // no repeated colours
    Object& o = objects[i];
    o.is_box = rng.chance(0.45f);
    o.radius = rng.uniform(0.12f, 0.19f);
    o.height = rng.uniform(0.08f, 0.2f);
    o.yaw = rng.uniform(0, kTwoPi);
    o.color = kPalette[colors[i]] * rng.uniform(0.9f, 1.05f);
    // Rejection sampling for a free spot; the physics below cleans up if none is found.
    for (int attempt = 0; attempt < 30; ++attempt) {
      o.pos = {rng.uniform(-0.65f, 0.65f), rng.uniform(-0.65f, 0.65f)};
      bool free = true;
      for (size_t j = 0; j < i; ++j) {
        free = free && length(objects[j].pos - o.pos) > objects[j].radius + o.radius + 0.06f;
      }
      if (free) break;
    }
  }
  return objects;
}

void store(Vec3 v, float* out) {
  out[0] = v.x;
  out[1] = v.y;
  out[2] = v.z;
}

}  // namespace

SynthTrajectory simulate(uint64_t seed, uint64_t index, const WorldOptions& options) {
  if (options.frames < 1 || options.size < 16) throw std::invalid_argument("synth world: need frames >= 1, size >= 16");
  const int frames = options.frames, size = options.size;

  // The table belongs to the seed (one lab, one table); everything else to the trajectory.
  Rng lab(splitmix64(seed ^ 0x7ab1e5eedull));
  Rng rng(splitmix64(splitmix64(seed) ^ index));
  TableLook table = random_table(lab);
  table.offset = {rng.uniform(-5, 5), rng.uniform(-5, 5)};

  float brightness = rng.uniform(0.93f, 1.07f);
  Exposure top_exposure{Vec3{1.0f, 1.0f, 1.03f} * brightness, {-0.1f, -0.1f}, 0.06f, float(size)};
  Exposure side_exposure{Vec3{1.08f, 0.99f, 0.86f} * brightness, {0.14f, 0.06f}, 0.16f, float(size)};
  // aux1 looks straight down from high up, so [-1, 1] at z = 0 fills the frame;
  // main looks from the front-right, across the table towards the robot.
  constexpr float kTopHeight = 4;
  Camera top = Camera::look_at({0, 0, kTopHeight}, {0, 0, 0}, {0, 1, 0}, size * kTopHeight / 2, size);
  Camera side = Camera::look_at({0.95f, -2.3f, 2.0f}, {0.0f, 0.15f, 0.0f}, {0, 0, 1}, size * 1.45f, size);
  View top_view(top, top_exposure, table, size);
  View side_view(side, side_exposure, table, size);

  std::vector<Object> objects = random_objects(rng);
  Gripper gripper;
  gripper.pos = {rng.uniform(-0.75f, 0.75f), rng.uniform(-0.75f, 0.75f), rng.uniform(0.05f, 0.35f)};
  gripper.openness = rng.uniform(0, 1);
  gripper.yaw = rng.uniform(-0.4f, 0.4f);
  push_objects(gripper.pos, gripper.pos, objects);  // nothing starts inside anything

  Policy policy(rng, rng.chance(0.15f));
  policy.choose_target(gripper.pos.xy(), objects, rng.chance(0.7f));

  SynthTrajectory out;
  Trajectory& traj = out.aux1;
  traj.frames = frames;
  traj.height = traj.width = size;
  traj.pixels.resize(size_t(frames) * traj.frame_bytes());
  traj.actions.resize(size_t(frames) * kActionDim);
  traj.endeffector.resize(size_t(frames) * kEndEffectorDim);
  out.main_pixels.resize(traj.pixels.size());

  for (int t = 0; t < frames; ++t) {
    store(gripper.pos, &traj.endeffector[size_t(t) * kEndEffectorDim]);
    top_view.render(objects, gripper, &traj.pixels[t * traj.frame_bytes()]);
    side_view.render(objects, gripper, &out.main_pixels[t * traj.frame_bytes()]);

    std::array<float, 4> action = policy.act(gripper, objects);
    std::copy(action.begin(), action.end(), &traj.actions[size_t(t) * kActionDim]);
    Vec3 next = {std::clamp(gripper.pos.x + action[0], -kReach, kReach),
                 std::clamp(gripper.pos.y + action[1], -kReach, kReach),
                 std::clamp(gripper.pos.z + action[2], 0.0f, kMaxHeight)};
    push_objects(gripper.pos, next, objects);
    gripper.pos = next;
    float open_goal = action[3] > 0 ? 0.0f : 1.0f;
    gripper.openness += 0.5f * (open_goal - gripper.openness);
  }
  return out;
}

}  // namespace vidpred::synth
