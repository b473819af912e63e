// Test inputs for decode / circle NMS: random CenterPoint head outputs with object blobs.
#ifndef AWML_TESTS_CPP_KERNELS_HEAD_FIXTURES_H_
#define AWML_TESTS_CPP_KERNELS_HEAD_FIXTURES_H_

#include <random>
#include <vector>

#include "cpp/plugins/kernels/decode/decode.h"

namespace awml::kernels::testing {

struct HeadHost {
  HeadHost(int classes, int h, int w) : c(classes), plane(h * w) {
    heatmap.assign(static_cast<size_t>(classes) * plane, 0.0f);
    reg.assign(2 * plane, 0.0f);
    height.assign(plane, 0.0f);
    dim.assign(3 * plane, 0.0f);
    rot.assign(2 * plane, 0.0f);
    vel.assign(2 * plane, 0.0f);
  }
  HeadTensors tensors(bool with_vel = true) const {
    return {heatmap.data(), reg.data(), height.data(), dim.data(), rot.data(), with_vel ? vel.data() : nullptr};
  }
  int c, plane;
  std::vector<float> heatmap, reg, height, dim, rot, vel;
};

// Background logits N(-6, 1); `objects` 3x3 blobs of random class with peak U(0.5, 3); other channels random.
inline HeadHost RandomHeads(std::mt19937* rng, int classes, int h, int w, int objects) {
  HeadHost head(classes, h, w);
  std::normal_distribution<float> bg(-6.0f, 1.0f), nrm(0.0f, 1.0f);
  std::uniform_real_distribution<float> u01(0.0f, 1.0f);
  for (float& v : head.heatmap) v = bg(*rng);
  for (float& v : head.reg) v = u01(*rng);
  for (float& v : head.height) v = 2.0f * nrm(*rng);
  for (float& v : head.dim) v = 0.5f * nrm(*rng);
  for (float& v : head.vel) v = nrm(*rng);
  for (int i = 0; i < head.plane; ++i) {
    float const a = 6.2831853f * u01(*rng), m = 0.1f + 1.1f * u01(*rng);
    head.rot[i] = m * std::sin(a);
    head.rot[head.plane + i] = m * std::cos(a);
  }
  for (int o = 0; o < objects; ++o) {
    int const cls = static_cast<int>(u01(*rng) * (classes - 0.01f));
    int const y = static_cast<int>(u01(*rng) * (h - 0.01f)), x = static_cast<int>(u01(*rng) * (w - 0.01f));
    float const peak = 0.5f + 2.5f * u01(*rng);
    for (int dy = -1; dy <= 1; ++dy) {
      for (int dx = -1; dx <= 1; ++dx) {
        if (y + dy < 0 || y + dy >= h || x + dx < 0 || x + dx >= w) continue;
        float const v = (dx == 0 && dy == 0) ? peak : peak - 0.5f - u01(*rng);
        head.heatmap[cls * head.plane + (y + dy) * w + x + dx] = v;
      }
    }
  }
  return head;
}

}  // namespace awml::kernels::testing

#endif  // AWML_TESTS_CPP_KERNELS_HEAD_FIXTURES_H_
