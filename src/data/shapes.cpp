#include "data/shapes.h"

#include <algorithm>
#include <cmath>

#include "kernels/thread_pool.h"
#include "tensor/error.h"
#include "tensor/rng.h"

namespace nn::data {
namespace {

enum ShapeClass { kCircle, kSquare, kTriangle, kCross, kRing, kStripes, kDiamond, kX, kFrame, kCheckerboard };

// Everything random about one image's figure, drawn once per image.
struct Figure {
  int cls;
  float cx, cy;     // centre, in pixels
  float r;          // size: the radius of the circle that roughly encloses the figure
  float period;     // stripe / checker period, in pixels
  float phase;      // where the stripes start
  bool vertical;    // stripes orientation
};

// A signed distance in pixels from the point (px, py) — relative to the figure's centre —
// to the figure's edge: negative inside, positive outside. Coverage of a pixel is then
// clamp(0.5 - d, 0, 1), which gives smooth (anti-aliased) edges for free.
float distance(const Figure& f, float px, float py) {
  const float ax = std::fabs(px), ay = std::fabs(py);
  const float r = f.r;
  switch (f.cls) {
    case kCircle: return std::sqrt(px * px + py * py) - r;
    case kSquare: return std::max(ax, ay) - 0.8f * r;
    case kTriangle:  // equilateral, pointing up (image y grows downwards): three half-planes
      return std::max(py - 0.5f * r, 0.8660254f * ax - 0.5f * py - 0.5f * r);
    case kCross: {
      const float w = std::max(1.0f, 0.28f * r);  // half the arm width
      return std::min(std::max(ax - w, ay - r), std::max(ay - w, ax - r));
    }
    case kRing: {
      const float w = std::max(1.0f, 0.22f * r);
      return std::fabs(std::sqrt(px * px + py * py) - (r - w)) - w;
    }
    case kDiamond: return (ax + ay - r) * 0.70710678f;
    case kX: {  // the cross turned by 45 degrees
      const float u = std::fabs(px + py) * 0.70710678f, v = std::fabs(px - py) * 0.70710678f;
      const float w = std::max(1.0f, 0.28f * r);
      return std::min(std::max(u - w, v - r), std::max(v - w, u - r));
    }
    case kFrame: {
      const float w = std::max(1.0f, 0.2f * r);
      return std::fabs(std::max(ax, ay) - (0.85f * r - w)) - w;
    }
    default: break;
  }
  // Stripes and checkerboard: a periodic pattern inside a square patch. A stripe's
  // distance is negative on the "on" half of each period.
  const float region = std::max(ax, ay) - 0.85f * r;
  auto stripe = [&](float coord) {
    const float t = (coord + f.phase) / f.period;
    return (std::fabs(t - std::floor(t) - 0.5f) - 0.25f) * f.period;
  };
  if (f.cls == kStripes) return std::max(region, stripe(f.vertical ? px : py));
  const float a = stripe(px), b = stripe(py);  // checkerboard: on where both or neither
  const float edge = std::min(std::fabs(a), std::fabs(b));
  return std::max(region, (a < 0) == (b < 0) ? -edge : edge);
}

// A fast noise value in about [-1, 1] (triangular: the sum of two uniforms), 16 bits each.
inline float triangular(uint64_t bits) {
  const float u1 = static_cast<float>(bits & 0xffff), u2 = static_cast<float>((bits >> 16) & 0xffff);
  return (u1 + u2) * (1.0f / 65535.0f) - 1.0f;
}

// Seed of image `index` in the stream `seed`: splitmix64's mixing, so neighbouring indices
// get unrelated generators.
uint64_t image_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ULL + (index + 1) * 0xd1b54a32d192ed03ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Draws one image of class `cls` into out (size × size × channels floats).
void draw_image(int cls, Rng& rng, int size, int channels, float* out) {
  const float s = static_cast<float>(size);
  Figure f;
  f.cls = cls;
  f.r = rng.uniform(0.16f, 0.32f) * s;
  f.cx = rng.uniform(f.r + 0.5f, s - f.r - 0.5f);
  f.cy = rng.uniform(f.r + 0.5f, s - f.r - 0.5f);
  f.period = rng.uniform(std::max(3.0f, 0.35f * f.r), std::max(3.5f, 0.6f * f.r));
  f.phase = rng.uniform(0.0f, f.period);
  f.vertical = rng.uniform() < 0.5f;

  // Background: a gradient between two nearby colours along a random direction.
  // Figure: a colour at least 70 levels (on average over channels) away from the
  // background, so the shape is always visible through the noise.
  float bg0[3], bg1[3], fg[3];
  float contrast = 0;
  for (int attempt = 0; attempt < 16 && contrast < 70.0f; ++attempt) {
    contrast = 0;
    for (int c = 0; c < channels; ++c) {
      bg0[c] = rng.uniform(0.0f, 255.0f);
      bg1[c] = std::clamp(bg0[c] + rng.uniform(-60.0f, 60.0f), 0.0f, 255.0f);
      fg[c] = rng.uniform(0.0f, 255.0f);
      contrast += std::fabs(fg[c] - 0.5f * (bg0[c] + bg1[c])) / static_cast<float>(channels);
    }
  }
  if (contrast < 70.0f)  // (rare) give up drawing and force contrast: dark on light or light on dark
    for (int c = 0; c < channels; ++c) fg[c] = bg0[c] < 128.0f ? 255.0f - 0.3f * bg0[c] : 0.3f * bg0[c];
  const float angle = rng.uniform(0.0f, 6.2831853f);
  const float gx = std::cos(angle) / s, gy = std::sin(angle) / s;
  const float noise = rng.uniform(8.0f, 32.0f);  // noise amplitude of this image

  uint64_t bits = 0;
  int bits_left = 0;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const float px = static_cast<float>(x) + 0.5f, py = static_cast<float>(y) + 0.5f;
      const float coverage = std::clamp(0.5f - distance(f, px - f.cx, py - f.cy), 0.0f, 1.0f);
      const float t = 0.5f + (px - 0.5f * s) * gx + (py - 0.5f * s) * gy;  // 0..1 along the gradient
      for (int c = 0; c < channels; ++c) {
        if (bits_left == 0) bits = rng.next_u64(), bits_left = 2;
        const float background = bg0[c] + (bg1[c] - bg0[c]) * t;
        const float v = background + (fg[c] - background) * coverage + noise * triangular(bits);
        bits >>= 32, --bits_left;
        *out++ = std::nearbyint(std::clamp(v, 0.0f, 255.0f));
      }
    }
  }
}

}  // namespace

std::vector<std::string> shape_class_names() {
  return {"circle", "square", "triangle", "cross", "ring", "stripes", "diamond", "x", "frame", "checkerboard"};
}

Dataset make_shapes(int n, uint64_t seed, ShapesOptions opts) {
  if (n < 0) throw ValueError("make_shapes: n must be >= 0, got " + std::to_string(n));
  if (opts.size < 8 || opts.size > 1024)
    throw ValueError("make_shapes: size must be in 8..1024 pixels, got " + std::to_string(opts.size));
  if (opts.channels != 1 && opts.channels != 3)
    throw ValueError("make_shapes: channels must be 1 (grey) or 3 (RGB), got " + std::to_string(opts.channels));

  // Balanced labels in a shuffled order: class i % 10 for image i, then permuted.
  Rng order_rng(seed);
  const std::vector<int> order = order_rng.permutation(n);
  Dataset d;
  d.x.resize({n, opts.size, opts.size, opts.channels});
  d.y.resize({n});
  for (int i = 0; i < n; ++i) d.y[static_cast<size_t>(order[i])] = static_cast<float>(i % 10);

  const size_t image_floats = static_cast<size_t>(opts.size) * opts.size * opts.channels;
  parallel_for(static_cast<size_t>(n), 64, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Rng rng(image_seed(seed, i));
      draw_image(static_cast<int>(d.y[i]), rng, opts.size, opts.channels, d.x.data() + i * image_floats);
    }
  });
  return d;
}

Split load_shapes(int n_train, int n_test, uint64_t seed, ShapesOptions opts) {
  Dataset train = make_shapes(n_train, seed, opts);
  // A different stream for the test set (seed mixed with a constant), so no image repeats.
  Dataset test = make_shapes(n_test, image_seed(seed, 0x7e57'5e7ULL), opts);
  return Split{std::move(train.x), std::move(train.y), std::move(test.x), std::move(test.y)};
}

}  // namespace nn::data
