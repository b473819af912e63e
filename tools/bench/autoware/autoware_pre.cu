// Autoware's preprocessing (+ scatter), as shipped in CenterPointTRT::detect() at b8ce82e and "lean".
//
// As shipped, per frame, on Autoware's blocking stream (TensorRT engines and the host-side cloud upload left out):
// memset encoder_in_features and spatial_features (the canvas); shufflePoints over cloud_capacity (2 M) slots at a
// rand() offset; memsets of num_voxels, voxels_buffer, mask, voxels, coordinates, num_points_per_voxel;
// generateVoxels_random over cloud_capacity threads; generateBaseFeatures; generateFeatures; scatterFeatures.
//
// Lean: the same kernels on the cloud itself (points_size = N, no shuffle) without the memsets, except the two the
// result needs: num_voxels (the pillar counter every frame starts from 0) and the canvas (scatterFeatures writes
// only the occupied cells). The mask needs no memset: generateBaseFeatures zeroes every cell it reads as long as
// no pillar overflows max_voxel_size, which is checked (and the mask is checked all-zero after a lean frame).
// Nothing else is read before it is written: rows past the pillar count are never read downstream.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "autoware/lidar_centerpoint/network/scatter_kernel.hpp"
#include "autoware/lidar_centerpoint/preprocess/preprocess_kernel.hpp"
#include "tools/bench/autoware/autoware_common.h"
#include "tools/bench/autoware/autoware_ref.h"
#include "tools/bench/lidar_scene.h"

namespace aw = autoware::lidar_centerpoint;

namespace awml::bench {

void BenchPre(aw::CenterPointConfig const& c, cudaStream_t st, int64_t n, std::vector<Row>* rows) {
  size_t const cap = c.cloud_capacity_, maxv = c.max_voxel_size_, mp = c.max_point_in_voxel_size_;
  size_t const f = c.point_feature_size_, gx = c.grid_size_x_, gy = c.grid_size_y_, ch = c.encoder_out_feature_size_;
  Require(f == 4, "point_feature_size is not 4. Note: expected 4 (x, y, z, w), the kernels read float4 points");
  // Buffers as CenterPointTRT::initPtr() sizes them.
  DeviceBuffer<float> voxels(maxv * mp * f), num_points(maxv), enc_in(maxv * mp * c.encoder_in_feature_size_);
  DeviceBuffer<int> coords(maxv * c.point_dim_size_);
  DeviceBuffer<float> pillar_features(maxv * ch), canvas(gx * gy * ch), points(cap * f),
      voxels_buffer(gx * gy * mp * f);
  DeviceBuffer<unsigned int> mask(gx * gy), num_voxels(1), shuffle_idx(cap);
  std::vector<DeviceBuffer<float>> aux(kSets);  // points_aux_d_: the frame's points, one buffer per input set
  std::vector<autoware_ref::CloudStats> ref(kSets);
  for (int s = 0; s < kSets; ++s) {
    std::vector<float> cloud = LidarCloud(100 + s, n, static_cast<int>(f), 76.8f);
    ref[s] = autoware_ref::Pillars(RefGrid(c), cloud.data(), n);
    cloud.resize(cap * f, 0.0f);
    aux[s].Upload(cloud);
  }
  {  // initPtr(): a fixed permutation of [0, capacity) from std::default_random_engine(0)
    std::vector<unsigned int> idx(cap);
    std::iota(idx.begin(), idx.end(), 0u);
    std::shuffle(idx.begin(), idx.end(), std::default_random_engine(0));
    shuffle_idx.Upload(idx);
  }
  for (auto* b : {&voxels, &num_points, &enc_in, &canvas, &points, &voxels_buffer}) {
    CheckCuda(cudaMemset(b->get(), 0, b->size() * sizeof(float)), "init");
  }
  CheckCuda(cudaMemset(coords.get(), 0, coords.size() * sizeof(int)), "init");
  CheckCuda(cudaMemset(mask.get(), 0, mask.size() * sizeof(unsigned int)), "init");
  CheckCuda(cudaMemset(pillar_features.get(), 0x3c, pillar_features.size() * sizeof(float)), "pfeat");  // engine A

  auto zero = [&](void* p, size_t bytes) { CheckCuda(cudaMemsetAsync(p, 0, bytes, st), "memset"); };
  auto voxelize = [&](float const* pts, size_t count) {
    CheckCuda(
        aw::generateVoxels_random_launch(pts, count, c.range_min_x_, c.range_max_x_, c.range_min_y_, c.range_max_y_,
                                         c.range_min_z_, c.range_max_z_, c.voxel_size_x_, c.voxel_size_y_,
                                         c.voxel_size_z_, gy, gx, mask.get(), voxels_buffer.get(), st),
        "generateVoxels_random");
  };
  auto base = [&](int) {
    CheckCuda(aw::generateBaseFeatures_launch(mask.get(), voxels_buffer.get(), gy, gx, maxv, num_voxels.get(),
                                              voxels.get(), num_points.get(), coords.get(), st),
              "generateBaseFeatures");
  };
  auto features = [&](int) {
    CheckCuda(aw::generateFeatures_launch(voxels.get(), num_points.get(), coords.get(), num_voxels.get(), maxv,
                                          c.voxel_size_x_, c.voxel_size_y_, c.voxel_size_z_, c.range_min_x_,
                                          c.range_min_y_, c.range_min_z_, enc_in.get(), st),
              "generateFeatures");
  };
  auto scatter = [&](int) {
    CheckCuda(aw::scatterFeatures_launch(pillar_features.get(), coords.get(), num_voxels.get(), maxv, ch, gx, gy,
                                         canvas.get(), st),
              "scatterFeatures");
  };
  auto memset_of = [&zero](auto const& b) {
    return [&zero, p = static_cast<void*>(b.get()), bytes = b.size() * sizeof(*b.get())](int) { zero(p, bytes); };
  };
  struct Step {
    char const* name;
    std::function<void(int)> fn;
  };
  std::vector<Step> const shipped = {
      {"memset_encoder_in", memset_of(enc_in)},
      {"memset_canvas", memset_of(canvas)},
      {"shuffle",
       [&](int s) {
         size_t const offset = std::rand() % cap;
         CheckCuda(aw::shufflePoints_launch(aux[s].get(), shuffle_idx.get(), points.get(), n, cap, offset, st),
                   "shufflePoints");
       }},
      {"memset_num_voxels", memset_of(num_voxels)},
      {"memset_voxels_buffer", memset_of(voxels_buffer)},
      {"memset_mask", memset_of(mask)},
      {"memset_voxels", memset_of(voxels)},
      {"memset_coordinates", memset_of(coords)},
      {"memset_num_points", memset_of(num_points)},
      {"generate_voxels", [&](int) { voxelize(points.get(), cap); }},
      {"base_features", base},
      {"features", features},
      {"scatter", scatter},
  };
  std::vector<Step> const lean = {
      {"memset_num_voxels", memset_of(num_voxels)},
      {"memset_canvas", memset_of(canvas)},
      {"generate_voxels", [&](int s) { voxelize(aux[s].get(), n); }},
      {"base_features", base},
      {"features", features},
      {"scatter", scatter},
  };
  auto run = [&](std::vector<Step> const& steps, int s) {
    for (Step const& x : steps) x.fn(s);
  };

  // Autoware's GPU output against our CPU reference, every set, both paths: the timing below is of this work.
  double pillars = 0.0, kept = 0.0;
  std::vector<float> ch0(gx * gy), nump;
  std::vector<unsigned int> mask_h;
  for (char const* path : {"as shipped", "lean"}) {
    for (int s = 0; s < kSets; ++s) {
      run(path[0] == 'a' ? shipped : lean, s);
      CheckCuda(cudaStreamSynchronize(st), "check run");
      int64_t const p = num_voxels.Download(1)[0];
      num_points.DownloadTo(&nump, std::min<size_t>(p, maxv));
      double sum = 0.0;
      for (float v : nump) sum += v;
      CheckCuda(cudaMemcpy(ch0.data(), canvas.get(), ch0.size() * sizeof(float), cudaMemcpyDeviceToHost), "D2H");
      int64_t const occupied = std::count_if(ch0.begin(), ch0.end(), [](float v) { return v != 0.0f; });
      std::string const where = std::string(path) + ", " + std::to_string(n) + " points, set " + std::to_string(s);
      Require(p < static_cast<int64_t>(maxv), where + ": pillars reach max_voxel_size " + std::to_string(p));
      Require(p == ref[s].pillars && static_cast<int64_t>(sum) == ref[s].kept_points && occupied == p,
              where + ": GPU pillars / kept points / occupied cells " + std::to_string(p) + " / " +
                  std::to_string(static_cast<int64_t>(sum)) + " / " + std::to_string(occupied) +
                  ". Note: expected the CPU reference " + std::to_string(ref[s].pillars) + " / " +
                  std::to_string(ref[s].kept_points) + " / " + std::to_string(ref[s].pillars));
      mask.DownloadTo(&mask_h, mask.size());
      Require(std::all_of(mask_h.begin(), mask_h.end(), [](unsigned int v) { return v == 0; }),
              where + ": the mask is not all-zero after the frame (lean relies on generateBaseFeatures clearing it)");
      if (path[0] == 'a') pillars += p / static_cast<double>(kSets), kept += sum / static_cast<double>(kSets);
    }
  }
  std::printf(
      "check %lld points: Autoware GPU == CPU reference on %d sets, both paths (mean pillars %.2f, kept %.2f)\n",
      static_cast<long long>(n), kSets, pillars, kept);

  char const* const cfg = "autoware_480x480_0.32m";
  int const pr = static_cast<int>(pillars + 0.5);
  double const canvas_bytes = 4.0 * ch * gx * gy;
  double const whole_bytes = n * 16.0 + pillars * mp * 9 * 4.0 + pillars * 12.0 + canvas_bytes + pillars * ch * 4.0;
  auto add = [&](std::string const& stage, Stat t, double bytes) { rows->push_back({cfg, stage, n, pr, t, bytes}); };
  add("aw_whole_pre_as_shipped", Time(st, [&](int s) { run(shipped, s); }), whole_bytes);
  add("aw_whole_pre_lean", Time(st, [&](int s) { run(lean, s); }), whole_bytes);
  // Per step, from a separate loop with an event after every operation (about 1 us of event overhead each).
  auto step_bytes = [&](std::string const& name, bool is_lean) -> double {
    double const pts = is_lean ? n : cap;
    if (name == "shuffle") return cap * 20.0 + n * 16.0;
    if (name == "generate_voxels") return pts * 16.0 + kept * 16.0;
    if (name == "base_features") return gx * gy * 4.0 + kept * 32.0 + pillars * 16.0;
    if (name == "features") return kept * 16.0 + pillars * 16.0 + pillars * mp * 9 * 4.0;
    if (name == "scatter") return pillars * (ch * 4.0 + 12.0);
    return 0.0;
  };
  for (auto const* steps : {&shipped, &lean}) {
    bool const is_lean = steps == &lean;
    std::vector<std::function<void(int)>> fns;
    for (Step const& x : *steps) fns.push_back(x.fn);
    std::vector<Stat> const t = TimeSteps(st, fns);
    for (size_t j = 0; j < steps->size(); ++j) {
      std::string const name = (*steps)[j].name;
      double bytes = step_bytes(name, is_lean);
      if (name.rfind("memset_", 0) == 0) {  // the bytes the memset writes
        std::vector<std::pair<char const*, double>> const sizes = {{"memset_encoder_in", enc_in.size() * 4.0},
                                                                   {"memset_canvas", canvas_bytes},
                                                                   {"memset_num_voxels", 4.0},
                                                                   {"memset_voxels_buffer", voxels_buffer.size() * 4.0},
                                                                   {"memset_mask", mask.size() * 4.0},
                                                                   {"memset_voxels", voxels.size() * 4.0},
                                                                   {"memset_coordinates", coords.size() * 4.0},
                                                                   {"memset_num_points", num_points.size() * 4.0}};
        for (auto const& kv : sizes) bytes = name == kv.first ? kv.second : bytes;
      }
      add(std::string(is_lean ? "aw_lean_" : "aw_shipped_") + name, t[j], bytes);
    }
  }
}

}  // namespace awml::bench
