// CUDA voxelize + pillar features + scatter against the CPU references (bitwise), on >= 1,000 random clouds
// of 0..300k points plus the named edge cases.
// AWML_CUDA_TEST_CLOUDS overrides the number of random clouds (e.g. smaller under compute-sanitizer).
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"
#include "tests/cpp/kernels/cloud_fixtures.h"
#include "tests/cpp/kernels/device_buffer.h"

namespace awml::kernels {
namespace {

using testing::DeviceBuffer;

// A GPU test (Bazel runs it as <name>_gpu only where a GPU is): no device is a failure, not a skip.
#define REQUIRE_GPU() ASSERT_GT(testing::CudaDeviceCount(), 0) << "no CUDA device: this is a GPU test"

int CloudCount() {
  char const* env = std::getenv("AWML_CUDA_TEST_CLOUDS");
  return env ? std::max(1, std::atoi(env)) : 1000;
}

template <typename T>
bool SameBits(std::vector<T> const& a, T const* b, size_t n) {
  return std::memcmp(a.data(), b, n * sizeof(T)) == 0;
}

// Buffers reused across clouds (host pages and device allocations are the slow part of a 1,000-cloud run).
struct Scratch {
  std::vector<float> pts, feat, canvas, pillar_feat, f_got;
  std::vector<int32_t> num, coords, i_got;
  DeviceBuffer<char> ws, scatter_ws;
  DeviceBuffer<float> cloud, d_pts, d_feat, d_pf, d_canvas;
  DeviceBuffer<int32_t> d_num, d_coords, d_counters{kNumVoxelizeCounters};
  struct Sparse {  // a canvas and its ScatterSparseCuda state, kept from one cloud to the next of the same grid
    DeviceBuffer<char> state;
    DeviceBuffer<float> canvas;
    //! On first use, allocates both poisoned and returns true (the caller resets the state); afterwards false.
    bool AllocateOnce(size_t state_bytes, size_t canvas_size) {
      if (state.size() != 0) return false;
      state.Resize(state_bytes);
      state.Poison();
      canvas.Resize(canvas_size);
      canvas.Poison();
      return true;
    }
  };
  std::map<std::array<int, 3>, Sparse> sparse;           // by (W, H, channels)
  std::map<std::array<int, 3>, Sparse> sparse_cells;     // ScatterSparseCellsCuda's, by (W, H, channels)
  std::map<std::array<int, 3>, Sparse> sparse_features;  // `canvas` is the features, by (pillars, points, features)
};

Scratch& GetScratch() {
  static Scratch s;
  return s;
}

// A scatter onto the voxel grid `g` with `channels` channels and at most `max_pillars` pillars.
ScatterConfig ScatterOnGrid(PillarGridF const& g, int channels, int max_pillars) {
  ScatterConfig sc;
  sc.num_channels = channels;
  sc.grid_x = g.nx;
  sc.grid_y = g.ny;
  sc.max_pillars = max_pillars;
  return sc;
}

// Runs CPU and CUDA voxelize + features + scatter on one cloud and compares everything that is defined.
void CheckCloud(VoxelizeConfig const& vc, bool center_z, int channels, std::vector<float> const& cloud,
                std::string const& label) {
  SCOPED_TRACE(label);
  Scratch& s = GetScratch();
  int const f = vc.num_point_features;
  int64_t const n = static_cast<int64_t>(cloud.size()) / f;
  size_t const row = static_cast<size_t>(vc.max_points_per_pillar) * f;
  s.pts.assign(vc.max_pillars * row, -7.0f);
  s.num.assign(vc.max_pillars, -7);
  s.coords.assign(3 * vc.max_pillars, -7);
  std::vector<int32_t> counters(kNumVoxelizeCounters, -7);
  ASSERT_TRUE(VoxelizeCpu(vc, cloud.data(), n, {s.pts.data(), s.num.data(), s.coords.data(), counters.data()}).ok());

  size_t ws_bytes = 0;
  ASSERT_TRUE(VoxelizeCudaWorkspaceBytes(vc, n, &ws_bytes).ok());
  s.ws.Resize(ws_bytes);
  s.cloud.Upload(cloud);
  s.d_pts.Resize(s.pts.size());
  s.d_num.Resize(s.num.size());
  s.d_coords.Resize(s.coords.size());
  s.d_pts.Poison();
  s.d_num.Poison();
  s.d_coords.Poison();
  VoxelizeOutputs const dout{s.d_pts.get(), s.d_num.get(), s.d_coords.get(), s.d_counters.get()};
  ASSERT_TRUE(VoxelizeCuda(vc, s.cloud.get(), n, dout, s.ws.get(), ws_bytes, nullptr).ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_EQ(s.d_counters.DownloadTo(&s.i_got, kNumVoxelizeCounters), counters);
  int32_t const p = counters[kPillarCount];
  ASSERT_TRUE(SameBits(s.d_num.DownloadTo(&s.i_got, p), s.num.data(), p));
  ASSERT_TRUE(SameBits(s.d_coords.DownloadTo(&s.i_got, 3 * p), s.coords.data(), 3 * p));
  ASSERT_TRUE(SameBits(s.d_pts.DownloadTo(&s.f_got, p * row), s.pts.data(), p * row));

  PillarFeaturesConfig fc;
  fc.grid = vc.grid;
  fc.num_point_features = f;
  fc.max_points_per_pillar = vc.max_points_per_pillar;
  fc.max_pillars = vc.max_pillars;
  fc.use_voxel_center_z = center_z;
  size_t const frow = static_cast<size_t>(vc.max_points_per_pillar) * PillarFeatureCount(fc);
  s.feat.assign(vc.max_pillars * frow, -7.0f);
  ASSERT_TRUE(PillarFeaturesCpu(fc, s.pts.data(), s.num.data(), s.coords.data(), &p, s.feat.data()).ok());
  s.d_feat.Resize(s.feat.size());
  s.d_feat.Poison();
  ASSERT_TRUE(PillarFeaturesCuda(fc, s.d_pts.get(), s.d_num.get(), s.d_coords.get(), s.d_counters.get() + kPillarCount,
                                 s.d_feat.get(), nullptr)
                  .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_TRUE(SameBits(s.d_feat.DownloadTo(&s.f_got, p * frow), s.feat.data(), p * frow));

  // The sparse decoration on the buffer and state this shape's previous cloud left: rows written only up to the
  // larger of the new and the previous point count, and every defined row must still be the CPU's.
  Scratch::Sparse& sf = s.sparse_features[{vc.max_pillars, vc.max_points_per_pillar, PillarFeatureCount(fc)}];
  size_t feat_state_bytes = 0;
  ASSERT_TRUE(PillarFeaturesSparseCudaStateBytes(fc, &feat_state_bytes).ok());
  if (sf.AllocateOnce(feat_state_bytes, s.feat.size())) {
    ASSERT_TRUE(PillarFeaturesSparseCudaReset(fc, sf.state.get(), sf.state.size(), nullptr).ok());
  }
  ASSERT_TRUE(PillarFeaturesSparseCuda(fc, s.d_pts.get(), s.d_num.get(), s.d_coords.get(),
                                       s.d_counters.get() + kPillarCount, sf.canvas.get(), sf.state.get(),
                                       sf.state.size(), nullptr)
                  .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_TRUE(SameBits(sf.canvas.DownloadTo(&s.f_got, p * frow), s.feat.data(), p * frow));

  PillarGridF g{};
  ASSERT_TRUE(ResolvePillarGrid(vc.grid, &g).ok());
  ScatterConfig const sc = ScatterOnGrid(g, channels, vc.max_pillars);
  s.pillar_feat.resize(static_cast<size_t>(vc.max_pillars) * channels);
  uint32_t state = static_cast<uint32_t>(n) * 2654435761u + 1u;  // cheap LCG: values only need to differ
  for (float& v : s.pillar_feat) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) * (1.0f / 16777216.0f) - 0.5f;
  }
  s.canvas.assign(static_cast<size_t>(channels) * g.nx * g.ny, -7.0f);
  ASSERT_TRUE(ScatterCpu(sc, s.pillar_feat.data(), s.coords.data(), &p, s.canvas.data()).ok());
  s.d_pf.Upload(s.pillar_feat);
  s.d_canvas.Resize(s.canvas.size());
  s.d_canvas.Poison();
  ASSERT_TRUE(
      ScatterCuda(sc, s.d_pf.get(), s.d_coords.get(), s.d_counters.get() + kPillarCount, s.d_canvas.get(), nullptr)
          .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_TRUE(SameBits(s.d_canvas.DownloadTo(&s.f_got, s.canvas.size()), s.canvas.data(), s.canvas.size()));
  // The one-pass scatter writes the same canvas; its workspace keeps the previous cloud's map (reused on purpose).
  size_t dense_bytes = 0;
  ASSERT_TRUE(ScatterDenseCudaWorkspaceBytes(sc, &dense_bytes).ok());
  if (s.scatter_ws.size() < dense_bytes) s.scatter_ws.Resize(dense_bytes);
  s.d_canvas.Poison();
  ASSERT_TRUE(ScatterDenseCuda(sc, s.d_pf.get(), s.d_coords.get(), s.d_counters.get() + kPillarCount, s.d_canvas.get(),
                               s.scatter_ws.get(), s.scatter_ws.size(), nullptr)
                  .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_TRUE(SameBits(s.d_canvas.DownloadTo(&s.f_got, s.canvas.size()), s.canvas.data(), s.canvas.size()));
  // The sparse scatter on the canvas and state this grid's previous cloud left: it rewrites only the groups that
  // held a pillar then or hold one now, and the whole canvas must still be the CPU's.
  Scratch::Sparse& sp = s.sparse[{g.nx, g.ny, channels}];
  size_t sparse_bytes = 0;
  ASSERT_TRUE(ScatterSparseCudaStateBytes(sc, &sparse_bytes).ok());
  if (sp.AllocateOnce(sparse_bytes, s.canvas.size())) {
    ASSERT_TRUE(ScatterSparseCudaReset(sc, sp.state.get(), sp.state.size(), nullptr).ok());
  }
  ASSERT_TRUE(ScatterSparseCuda(sc, s.d_pf.get(), s.d_coords.get(), s.d_counters.get() + kPillarCount, sp.canvas.get(),
                                sp.state.get(), sp.state.size(), nullptr)
                  .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_TRUE(SameBits(sp.canvas.DownloadTo(&s.f_got, s.canvas.size()), s.canvas.data(), s.canvas.size()));
  // The same with the pillars' cells from this voxeliser's cell map (entries of earlier clouds remain in the
  // workspace; an empty cloud does not touch it).
  Scratch::Sparse& spc = s.sparse_cells[{g.nx, g.ny, channels}];
  if (spc.AllocateOnce(sparse_bytes, s.canvas.size())) {
    ASSERT_TRUE(ScatterSparseCudaReset(sc, spc.state.get(), spc.state.size(), nullptr).ok());
  }
  VoxelCellMap m{};
  ASSERT_TRUE(VoxelizeCudaCellMap(vc, s.ws.get(), ws_bytes, &m).ok());
  ASSERT_TRUE(ScatterSparseCellsCuda(sc, s.d_pf.get(), m, s.d_counters.get() + kPillarCount, spc.canvas.get(),
                                     spc.state.get(), spc.state.size(), nullptr)
                  .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_TRUE(SameBits(spc.canvas.DownloadTo(&s.f_got, s.canvas.size()), s.canvas.data(), s.canvas.size()));
}

VoxelizeConfig AutowareConfig() { return VoxelizeConfig(); }

// The first `p` pillars as cell (y, x) -> the bit patterns of their points, sorted (the fast voxeliser's pillar and
// point order is its atomics' order).
std::map<std::pair<int, int>, std::vector<std::vector<uint32_t>>> PillarSet(VoxelizeConfig const& vc, int32_t p,
                                                                            int32_t const* num, int32_t const* coords,
                                                                            float const* pts) {
  std::map<std::pair<int, int>, std::vector<std::vector<uint32_t>>> m;
  int const f = vc.num_point_features;
  for (int q = 0; q < p; ++q) {
    auto& v = m[{coords[3 * q + 1], coords[3 * q + 2]}];
    for (int k = 0; k < num[q]; ++k) {
      float const* s = pts + (static_cast<size_t>(q) * vc.max_points_per_pillar + k) * f;
      std::vector<uint32_t> bits(f);
      std::memcpy(bits.data(), s, f * sizeof(float));
      v.push_back(std::move(bits));
    }
    std::sort(v.begin(), v.end());
  }
  return m;
}

VoxelizeConfig AwmlConfig() {
  VoxelizeConfig c;
  c.grid = {-122.4, -122.4, -3.0, 122.4, 122.4, 5.0, 0.24, 0.24, 8.0};
  c.num_point_features = 5;
  return c;
}

VoxelizeConfig TinyConfig() {
  VoxelizeConfig c;
  c.grid = {0.0, 0.0, -1.0, 4.0, 4.0, 1.0, 1.0, 1.0, 2.0};
  c.max_points_per_pillar = 3;
  c.max_pillars = 5;
  return c;
}

std::vector<float> Pts(std::initializer_list<std::array<float, 4>> pts) {
  std::vector<float> v;
  for (auto const& p : pts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

TEST(PillarsCuda, NamedEdgeCasesEqualCpu) {
  REQUIRE_GPU();
  float const nan = std::nanf(""), below = std::nextafter(76.8f, 0.0f);
  CheckCloud(TinyConfig(), false, 4, {}, "empty cloud");
  CheckCloud(TinyConfig(), false, 4, Pts({{-1, 1, 0, 0}, {4, 1, 0, 0}, {1, 1, 1, 0}}), "all out of range");
  CheckCloud(TinyConfig(), true, 4, Pts({{2.5f, 1.25f, 0.5f, 7}, {2.75f, 1.5f, -0.5f, 8}}), "one pillar");
  CheckCloud(TinyConfig(), false, 4, Pts({{0.1f, 0.1f, 0, 1}, {0.2f, 0.2f, 0, 2}, {0.3f, 0.3f, 0, 3}}),
             "exactly max points per pillar");
  CheckCloud(TinyConfig(), false, 4,
             Pts({{0.1f, 0.1f, 0, 1}, {0.2f, 0.2f, 0, 2}, {0.3f, 0.3f, 0, 3}, {0.4f, 0.4f, 0, 4}}),
             "max points per pillar + 1");
  CheckCloud(TinyConfig(), false, 4,
             Pts({{0.5f, 0.5f, 0, 0}, {1.5f, 0.5f, 0, 0}, {2.5f, 0.5f, 0, 0}, {3.5f, 0.5f, 0, 0}, {0.5f, 1.5f, 0, 0}}),
             "exactly max pillars");
  CheckCloud(TinyConfig(), false, 4,
             Pts({{0.5f, 0.5f, 0, 0},
                  {1.5f, 0.5f, 0, 0},
                  {2.5f, 0.5f, 0, 0},
                  {3.5f, 0.5f, 0, 0},
                  {0.5f, 1.5f, 0, 0},
                  {1.5f, 1.5f, 0, 0},
                  {1.6f, 1.6f, 0, 0},
                  {0.6f, 0.6f, 0, 0}}),
             "max pillars + 1");
  CheckCloud(TinyConfig(), false, 4,
             Pts({{nan, 1, 0, 0}, {1, nan, 0, 0}, {INFINITY, 1, 0, 0}, {-INFINITY, 1, 0, 0}, {1.5f, 1.5f, 0, nan}}),
             "NaN and Inf");
  CheckCloud(AutowareConfig(), false, 32, Pts({{below, below, 0, 0}, {76.8f, 0, 0, 0}, {-76.8f, -76.8f, -4, 0}}),
             "far edge");
}

TEST(PillarsCuda, RandomCloudsEqualCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(2024);
  int const clouds = CloudCount();
  for (int i = 0; i < clouds; ++i) {
    VoxelizeConfig vc = i % 2 ? AwmlConfig() : AutowareConfig();
    if (i % 7 == 3) vc.max_pillars = 2000;           // pillar overflow
    if (i % 5 == 1) vc.max_points_per_pillar = 8;    // point overflow
    if (i % 11 == 5) vc.max_points_per_pillar = 40;  // general (non-warp) feature kernel
    if (i % 13 == 6) vc.num_point_features = 6;      // the decoration's instance for any F
    int64_t const n = i == 0 ? 0 : (i == 1 ? 300000 : static_cast<int64_t>(rng() % 300001));
    std::vector<float> const cloud = testing::RandomCloud(&rng, n, vc.num_point_features, vc.grid);
    CheckCloud(vc, i % 3 == 0, i % 2 ? 8 : 32, cloud, "cloud " + std::to_string(i) + " n " + std::to_string(n));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// Fast mode: same pillar set, counts and (without per-pillar overflow) the same points per pillar.
TEST(PillarsCuda, FastModeMatchesDeterministicAsSets) {
  REQUIRE_GPU();
  std::mt19937 rng(99);
  for (int i = 0; i < 50; ++i) {
    VoxelizeConfig vc = i % 2 ? AwmlConfig() : AutowareConfig();
    vc.max_points_per_pillar = 256;  // nothing overflows, so the sets must agree exactly
    vc.max_pillars = 40000;
    int64_t const n = static_cast<int64_t>(rng() % 40001);
    std::vector<float> const cloud = testing::RandomCloud(&rng, n, vc.num_point_features, vc.grid);
    testing::VoxelHost cpu(vc);
    ASSERT_TRUE(VoxelizeCpu(vc, cloud.data(), n, cpu.outputs()).ok());
    ASSERT_EQ(cpu.counters[kPointsDroppedPillarFull] + cpu.counters[kPillarsDropped], 0);
    vc.mode = VoxelizeMode::kFast;
    vc.zero_unused_slots = i % 4 < 2;
    size_t ws_bytes = 0;
    ASSERT_TRUE(VoxelizeCudaWorkspaceBytes(vc, n, &ws_bytes).ok());
    DeviceBuffer<char> ws(ws_bytes);
    ws.Poison();  // the fast path needs no initialised workspace
    DeviceBuffer<float> d_cloud, d_pts(cpu.points.size());
    d_pts.Poison();
    d_cloud.Upload(cloud);
    DeviceBuffer<int32_t> d_num(cpu.num.size()), d_coords(cpu.coords.size()), d_counters(kNumVoxelizeCounters);
    ASSERT_TRUE(VoxelizeCuda(vc, d_cloud.get(), n, {d_pts.get(), d_num.get(), d_coords.get(), d_counters.get()},
                             ws.get(), ws_bytes, nullptr)
                    .ok());
    ASSERT_EQ(d_counters.Download(kNumVoxelizeCounters), cpu.counters);
    int32_t const p = cpu.counters[kPillarCount];
    std::vector<int32_t> const num = d_num.Download(p), coords = d_coords.Download(3 * p);
    std::vector<float> const pts =
        d_pts.Download(static_cast<size_t>(p) * vc.max_points_per_pillar * vc.num_point_features);
    // Unused slots: zero with zero_unused_slots, untouched (still the poison pattern) without it.
    std::vector<float> const poison = [] {
      DeviceBuffer<float> b(1);
      b.Poison();
      return b.Download(1);
    }();
    for (int q = 0; q < p; ++q) {
      for (int k = num[q]; k < vc.max_points_per_pillar; ++k) {
        float const* slot =
            pts.data() + (static_cast<size_t>(q) * vc.max_points_per_pillar + k) * vc.num_point_features;
        for (int d = 0; d < vc.num_point_features; ++d) {
          float const want = vc.zero_unused_slots ? 0.0f : poison[0];
          ASSERT_EQ(std::memcmp(&slot[d], &want, sizeof(float)), 0) << "pillar " << q << " slot " << k;
        }
      }
    }
    ASSERT_TRUE(PillarSet(vc, p, cpu.num.data(), cpu.coords.data(), cpu.points.data()) ==
                PillarSet(vc, p, num.data(), coords.data(), pts.data()));
  }
}

// The runtime's CUDA preprocessing (kFast voxelize without zeroing unused slots, then the decoration): the same pillar
// set and counts as the CPU, and features that are exactly PillarFeaturesCpu of the GPU's own pillars.
TEST(PillarsCuda, FastVoxelizeThenDecorateEqualsCpuDecorationOfItsPillars) {
  REQUIRE_GPU();
  std::mt19937 rng(7);
  int const clouds = std::min(40, CloudCount());
  for (int i = 0; i < clouds; ++i) {
    VoxelizeConfig vc = i % 2 ? AwmlConfig() : AutowareConfig();
    vc.mode = VoxelizeMode::kFast;
    vc.zero_unused_slots = i % 3 == 0;
    if (i % 5 == 4) vc.max_pillars = 500;  // pillars dropped
    // Cloud 2: more points than the fast voxeliser's grid holds in registers (two per thread, at most a few hundred
    // thousand on one GPU), so that some go through its workspace between the phases.
    int64_t const n = i == 0 ? 1 : (i == 2 ? 800000 : static_cast<int64_t>(rng() % 200001));
    std::vector<float> const cloud = testing::RandomCloud(&rng, n, vc.num_point_features, vc.grid);
    PillarFeaturesConfig fc;
    fc.grid = vc.grid;
    fc.num_point_features = vc.num_point_features;
    fc.max_points_per_pillar = vc.max_points_per_pillar;
    fc.max_pillars = vc.max_pillars;
    fc.use_voxel_center_z = i % 2 == 1;
    size_t const row = static_cast<size_t>(vc.max_points_per_pillar) * vc.num_point_features;
    size_t const frow = static_cast<size_t>(vc.max_points_per_pillar) * PillarFeatureCount(fc);
    size_t ws_bytes = 0;
    ASSERT_TRUE(VoxelizeCudaWorkspaceBytes(vc, n, &ws_bytes).ok());
    DeviceBuffer<char> ws(ws_bytes);
    ws.Poison();
    DeviceBuffer<float> d_cloud, d_pts(vc.max_pillars * row), d_feat(vc.max_pillars * frow);
    d_cloud.Upload(cloud);
    d_pts.Poison();
    d_feat.Poison();
    DeviceBuffer<int32_t> d_num(vc.max_pillars), d_coords(3 * vc.max_pillars), d_counters(kNumVoxelizeCounters);
    ASSERT_TRUE(VoxelizeCuda(vc, d_cloud.get(), n, {d_pts.get(), d_num.get(), d_coords.get(), d_counters.get()},
                             ws.get(), ws_bytes, nullptr)
                    .ok());
    ASSERT_TRUE(PillarFeaturesCuda(fc, d_pts.get(), d_num.get(), d_coords.get(), d_counters.get() + kPillarCount,
                                   d_feat.get(), nullptr)
                    .ok());
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    VoxelizeConfig det = vc;
    det.mode = VoxelizeMode::kDeterministic;
    testing::VoxelHost cpu(det);
    ASSERT_TRUE(VoxelizeCpu(det, cloud.data(), n, cpu.outputs()).ok());
    std::vector<int32_t> const counters = d_counters.Download(kNumVoxelizeCounters);
    int32_t const p = counters[kPillarCount];
    ASSERT_EQ(p, cpu.counters[kPillarCount]) << "cloud " << i;
    ASSERT_EQ(counters[kPointsOutOfRange], cpu.counters[kPointsOutOfRange]);
    ASSERT_EQ(counters[kPillarsDropped], cpu.counters[kPillarsDropped]);
    std::vector<int32_t> const num = d_num.Download(p), coords = d_coords.Download(3 * p);
    std::vector<float> const pts = d_pts.Download(p * row);
    std::vector<float> want(p * frow, -7.0f);
    ASSERT_TRUE(PillarFeaturesCpu(fc, pts.data(), num.data(), coords.data(), &p, want.data()).ok());
    std::vector<float> const got = d_feat.Download(p * frow);
    ASSERT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0) << "cloud " << i;
  }
}

// The one-pass scatter on hand-made coordinates: pillars sharing a cell (the later one wins, as on the CPU),
// coordinates off the canvas, a negative and an oversized count, planes with and without 16-byte rows.
TEST(PillarsCuda, DenseScatterNamedCasesEqualCpu) {
  REQUIRE_GPU();
  for (auto const& [gx, gy] : {std::pair{5, 3}, std::pair{8, 4}, std::pair{480, 480}}) {
    ScatterConfig sc;
    sc.num_channels = 3;
    sc.grid_x = gx;
    sc.grid_y = gy;
    sc.max_pillars = 6;
    std::vector<int32_t> const coords = {0, 0, 0, 0, 1, 2, 0, 1, 2, 0, gy, 0, 0, 0, -1, 0, gy - 1, gx - 1};
    std::vector<float> feat(static_cast<size_t>(sc.max_pillars) * sc.num_channels);
    for (size_t k = 0; k < feat.size(); ++k) feat[k] = 1.0f + static_cast<float>(k);
    for (int32_t count : {-3, 0, 2, 3, 6, 100}) {
      SCOPED_TRACE(std::to_string(gx) + "x" + std::to_string(gy) + " count " + std::to_string(count));
      std::vector<float> want(static_cast<size_t>(sc.num_channels) * gx * gy, -7.0f);
      ASSERT_TRUE(ScatterCpu(sc, feat.data(), coords.data(), &count, want.data()).ok());
      DeviceBuffer<float> d_feat, d_canvas(want.size());
      DeviceBuffer<int32_t> d_coords, d_count;
      d_feat.Upload(feat);
      d_coords.Upload(coords);
      d_count.Upload(std::vector<int32_t>{count});
      size_t bytes = 0;
      ASSERT_TRUE(ScatterDenseCudaWorkspaceBytes(sc, &bytes).ok());
      DeviceBuffer<char> ws(bytes);
      ws.Poison();
      d_canvas.Poison();
      ASSERT_TRUE(
          ScatterDenseCuda(sc, d_feat.get(), d_coords.get(), d_count.get(), d_canvas.get(), ws.get(), bytes, nullptr)
              .ok());
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      std::vector<float> const got = d_canvas.Download(want.size());
      ASSERT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0);
      ASSERT_EQ(ScatterDenseCuda(sc, d_feat.get(), d_coords.get(), d_count.get(), d_canvas.get(), ws.get(), bytes - 1,
                                 nullptr)
                    .code(),
                StatusCode::kInvalidArgument);
      ScatterConfig no_clear = sc;  // the one-pass scatter always writes every cell: a canvas to keep is refused
      no_clear.clear_canvas = false;
      ASSERT_EQ(ScatterDenseCuda(no_clear, d_feat.get(), d_coords.get(), d_count.get(), d_canvas.get(), ws.get(), bytes,
                                 nullptr)
                    .code(),
                StatusCode::kInvalidArgument);
    }
  }
}

// The sparse decoration over a sequence of frames on one buffer: point counts that grow and shrink per row (a row that
// loses points must get zeros where the previous frame left points), fewer rows, then more again; a buffer
// overwritten behind its back (wrong without a reset, right after PillarFeaturesSparseCudaReset); more than 32
// points per pillar (every slot written, the state unused); and the refusals.
TEST(PillarsCuda, SparseFeaturesSequenceEqualsCpu) {
  REQUIRE_GPU();
  for (int max_pts : {8, 32, 40}) {
    SCOPED_TRACE("max points " + std::to_string(max_pts));
    PillarFeaturesConfig fc;
    fc.max_points_per_pillar = max_pts;
    fc.max_pillars = 6;
    int const f = fc.num_point_features, out_f = PillarFeatureCount(fc);
    size_t const frow = static_cast<size_t>(max_pts) * out_f;
    std::vector<float> pts(static_cast<size_t>(fc.max_pillars) * max_pts * f);
    for (size_t k = 0; k < pts.size(); ++k) pts[k] = 0.25f * static_cast<float>(k % 97) - 3.0f;
    std::vector<int32_t> const coords = {0, 1, 2, 0, 3, 4, 0, 100, 200, 0, 479, 479, 0, 0, 0, 0, 7, 9};
    DeviceBuffer<float> d_pts, feat(static_cast<size_t>(fc.max_pillars) * frow);
    DeviceBuffer<int32_t> d_num, d_coords, d_count;
    d_pts.Upload(pts);
    d_coords.Upload(coords);
    size_t bytes = 0;
    ASSERT_TRUE(PillarFeaturesSparseCudaStateBytes(fc, &bytes).ok());
    DeviceBuffer<char> state(bytes);
    state.Poison();
    feat.Poison();
    ASSERT_TRUE(PillarFeaturesSparseCudaReset(fc, state.get(), bytes, nullptr).ok());
    // Decorates one frame and reports whether its rows equal the CPU's.
    auto frame = [&](std::vector<int32_t> num, int32_t count) {
      for (int32_t& v : num) v = std::min(v, max_pts);
      std::vector<float> want(feat.size(), -7.0f);
      EXPECT_TRUE(PillarFeaturesCpu(fc, pts.data(), num.data(), coords.data(), &count, want.data()).ok());
      d_num.Upload(num);
      d_count.Upload(std::vector<int32_t>{count});
      EXPECT_TRUE(PillarFeaturesSparseCuda(fc, d_pts.get(), d_num.get(), d_coords.get(), d_count.get(), feat.get(),
                                           state.get(), bytes, nullptr)
                      .ok());
      EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      size_t const defined = static_cast<size_t>(count) * frow;
      std::vector<float> const got = feat.Download(defined);
      return std::memcmp(got.data(), want.data(), defined * sizeof(float)) == 0;
    };
    EXPECT_TRUE(frame({8, 3, 0, 5, 1, 40}, 6)) << "first";
    EXPECT_TRUE(frame({2, 8, 4, 0, 8, 1}, 6)) << "counts grow and shrink";
    EXPECT_TRUE(frame({1, 1, 1, 1, 1, 1}, 3)) << "three rows";
    EXPECT_TRUE(frame({0, 2, 1, 6, 3, 2}, 6)) << "six rows again";
    EXPECT_TRUE(frame({0, 2, 1, 6, 3, 2}, 6)) << "the same frame twice";
    feat.Poison();  // someone else wrote the buffer
    if (max_pts <= 32) {
      EXPECT_FALSE(frame({1, 1, 1, 1, 1, 1}, 6)) << "a foreign write is invisible without a reset";
      feat.Poison();
      ASSERT_TRUE(PillarFeaturesSparseCudaReset(fc, state.get(), bytes, nullptr).ok());
    }
    EXPECT_TRUE(frame({1, 1, 1, 1, 1, 1}, 6)) << "after a reset (or every slot written)";
    ASSERT_EQ(PillarFeaturesSparseCuda(fc, d_pts.get(), d_num.get(), d_coords.get(), d_count.get(), feat.get(),
                                       state.get(), bytes - 1, nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
    ASSERT_EQ(PillarFeaturesSparseCudaReset(fc, state.get(), bytes - 1, nullptr).code(), StatusCode::kInvalidArgument);
  }
}

// The sparse scatter tests' setup on a gx x gy canvas (32 channels and 20,000 pillars on 480 x 480, else 3 and 6):
// features 1 + k % 1000 for every pillar row (host and device), and a canvas and a state allocated poisoned, the state
// reset.
struct SparseScatterRig {
  ScatterConfig sc;
  std::vector<float> feat;
  size_t cells = 0, bytes = 0;
  DeviceBuffer<float> d_feat, canvas;
  DeviceBuffer<char> state;
};

void MakeSparseScatterRig(int gx, int gy, SparseScatterRig* r) {
  r->sc.num_channels = gx == 480 ? 32 : 3;
  r->sc.grid_x = gx;
  r->sc.grid_y = gy;
  r->sc.max_pillars = gx == 480 ? 20000 : 6;
  r->feat.resize(static_cast<size_t>(r->sc.max_pillars) * r->sc.num_channels);
  for (size_t k = 0; k < r->feat.size(); ++k) r->feat[k] = 1.0f + static_cast<float>(k % 1000);
  r->d_feat.Upload(r->feat);
  r->cells = static_cast<size_t>(r->sc.num_channels) * gx * gy;
  r->canvas.Resize(r->cells);
  r->canvas.Poison();
  ASSERT_TRUE(ScatterSparseCudaStateBytes(r->sc, &r->bytes).ok());
  r->state.Resize(r->bytes);
  r->state.Poison();
  ASSERT_TRUE(ScatterSparseCudaReset(r->sc, r->state.get(), r->bytes, nullptr).ok());
}

// The sparse scatter over a sequence of frames on one canvas: the named coordinates, random ones, no pillar, the named
// ones again; then a canvas overwritten behind its back (on 480 x 480 wrong without a reset: proof that untouched
// groups are not rewritten; right after ScatterSparseCudaReset), another canvas with the same state (written whole),
// and the refusals. Planes of 15 (no 32-byte groups), 32 and 480 x 480 cells.
TEST(PillarsCuda, SparseScatterSequenceEqualsCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(31);
  for (auto const& [gx, gy] : {std::pair{5, 3}, std::pair{8, 4}, std::pair{480, 480}}) {
    SCOPED_TRACE(std::to_string(gx) + "x" + std::to_string(gy));
    SparseScatterRig rig;
    MakeSparseScatterRig(gx, gy, &rig);
    if (HasFatalFailure()) return;
    ScatterConfig const& sc = rig.sc;
    std::vector<float> const& feat = rig.feat;
    size_t const cells = rig.cells, bytes = rig.bytes;
    DeviceBuffer<float>&d_feat = rig.d_feat, &canvas = rig.canvas;
    DeviceBuffer<char>& state = rig.state;
    std::vector<int32_t> named(3 * static_cast<size_t>(sc.max_pillars), 0);
    std::vector<int32_t> const head = {0, 0, 0, 0, 1, 2, 0, 1, 2, 0, gy, 0, 0, 0, -1, 0, gy - 1, gx - 1};
    std::copy(head.begin(), head.end(), named.begin());
    std::vector<int32_t> random(named.size());
    for (size_t p = 0; p < random.size() / 3; ++p) {
      random[3 * p + 1] = static_cast<int32_t>(rng() % gy);
      random[3 * p + 2] = static_cast<int32_t>(rng() % gx);
    }
    DeviceBuffer<float> other(cells);
    DeviceBuffer<int32_t> d_coords, d_count;
    // Scatters one frame onto `onto` and reports whether it equals the CPU's cleared-and-scattered canvas.
    auto frame = [&](std::vector<int32_t> const& coords, int32_t count, DeviceBuffer<float>& onto) {
      std::vector<float> want(cells, -7.0f);
      EXPECT_TRUE(ScatterCpu(sc, feat.data(), coords.data(), &count, want.data()).ok());
      d_coords.Upload(coords);
      d_count.Upload(std::vector<int32_t>{count});
      EXPECT_TRUE(
          ScatterSparseCuda(sc, d_feat.get(), d_coords.get(), d_count.get(), onto.get(), state.get(), bytes, nullptr)
              .ok());
      EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      std::vector<float> const got = onto.Download(cells);
      return std::memcmp(got.data(), want.data(), cells * sizeof(float)) == 0;
    };
    int32_t const all = sc.max_pillars;
    EXPECT_TRUE(frame(named, 6, canvas)) << "named";
    EXPECT_TRUE(frame(random, all, canvas)) << "random";
    EXPECT_TRUE(frame(named, -3, canvas)) << "no pillar";
    EXPECT_TRUE(frame(named, 100, canvas)) << "named again, count over the maximum";
    EXPECT_TRUE(frame(random, all / 2, canvas)) << "half the random ones";
    if (gx == 480) {    // ~20,000 of the 28,800 groups were untouched by the last frame and this one
      canvas.Poison();  // someone else wrote the canvas
      EXPECT_FALSE(frame(named, 2, canvas)) << "a foreign write is invisible without a reset";
    }
    canvas.Poison();
    ASSERT_TRUE(ScatterSparseCudaReset(sc, state.get(), bytes, nullptr).ok());
    EXPECT_TRUE(frame(named, 2, canvas)) << "after a reset";
    other.Poison();
    EXPECT_TRUE(frame(random, all, other)) << "another canvas, same state";
    EXPECT_TRUE(frame(named, 3, canvas)) << "back to the first canvas";
    EXPECT_TRUE(frame(named, 3, canvas)) << "the same frame twice";
    ASSERT_EQ(ScatterSparseCuda(sc, d_feat.get(), d_coords.get(), d_count.get(), canvas.get(), state.get(), bytes - 1,
                                nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
    ASSERT_EQ(ScatterSparseCudaReset(sc, state.get(), bytes - 1, nullptr).code(), StatusCode::kInvalidArgument);
    ScatterConfig no_clear = sc;
    no_clear.clear_canvas = false;
    ASSERT_EQ(ScatterSparseCuda(no_clear, d_feat.get(), d_coords.get(), d_count.get(), canvas.get(), state.get(), bytes,
                                nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
  }
}

// ScatterSparseCellsCuda on cell maps made here: each frame puts its pillars in distinct random cells, and the map also
// holds what it must ignore (stale entries of empty cells, ids at or above the count, dropped pillars' -1). Frames by
// the map and by the coordinates take turns on one state, through a reset: a map frame that starts over must leave
// no claim of an earlier coordinate frame that would outrank a later one (those had higher epochs). Then the
// refusals. Planes of 15 cells (no 16-byte map loads, no 32-byte groups) and 480 x 480.
TEST(PillarsCuda, CellMapScatterTakesTurnsWithCoordinatesAndEqualsCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(77);
  for (auto const& [gx, gy] : {std::pair{5, 3}, std::pair{480, 480}}) {
    SCOPED_TRACE(std::to_string(gx) + "x" + std::to_string(gy));
    SparseScatterRig r;
    MakeSparseScatterRig(gx, gy, &r);
    if (HasFatalFailure()) return;
    int const plane = gx * gy;
    DeviceBuffer<int32_t> d_coords, d_count, d_points, d_pillar;
    std::vector<int32_t> points(plane, 0), pillar(plane, -1);  // the map, kept from frame to frame like a workspace
    // One frame of `count` pillars (at most the plane), scattered by the map or by the coordinates; whether the canvas
    // equals the CPU's.
    auto frame = [&](int count, bool by_map) {
      std::vector<int32_t> order(plane);
      for (int c = 0; c < plane; ++c) order[c] = c;
      std::shuffle(order.begin(), order.end(), rng);
      std::fill(points.begin(), points.end(), 0);  // a voxeliser clears its counts; its pillar entries stay stale
      std::vector<int32_t> coords(3 * static_cast<size_t>(std::max(count, 1)), 0);
      for (int q = 0; q < count; ++q) {
        int const cell = order[q];
        points[cell] = 1 + q % 5;
        pillar[cell] = q;
        coords[3 * q + 1] = cell / gx;
        coords[3 * q + 2] = cell % gx;
      }
      if (count < plane) {  // a dropped pillar: points, but no id
        points[order[count]] = 2;
        pillar[order[count]] = -1;
      }
      if (count + 1 < plane) {  // an id at the count (a stale entry of a frame with more pillars)
        points[order[count + 1]] = 3;
        pillar[order[count + 1]] = count;
      }
      std::vector<float> want(r.cells, -7.0f);
      EXPECT_TRUE(ScatterCpu(r.sc, r.feat.data(), coords.data(), &count, want.data()).ok());
      d_count.Upload(std::vector<int32_t>{count});
      if (by_map) {
        d_points.Upload(points);
        d_pillar.Upload(pillar);
        EXPECT_TRUE(ScatterSparseCellsCuda(r.sc, r.d_feat.get(), {d_points.get(), d_pillar.get(), gx, gy},
                                           d_count.get(), r.canvas.get(), r.state.get(), r.bytes, nullptr)
                        .ok());
      } else {
        d_coords.Upload(coords);
        EXPECT_TRUE(ScatterSparseCuda(r.sc, r.d_feat.get(), d_coords.get(), d_count.get(), r.canvas.get(),
                                      r.state.get(), r.bytes, nullptr)
                        .ok());
      }
      EXPECT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      std::vector<float> const got = r.canvas.Download(r.cells);
      return std::memcmp(got.data(), want.data(), r.cells * sizeof(float)) == 0;
    };
    int const many = std::min(r.sc.max_pillars, plane - 2), few = std::min(4, plane - 2);
    EXPECT_TRUE(frame(many, true)) << "map, after the reset";
    EXPECT_TRUE(frame(few, true)) << "map, fewer pillars";
    EXPECT_TRUE(frame(0, true)) << "map, no pillar";
    EXPECT_TRUE(frame(many, true)) << "map, many again";
    for (int k = 0; k < 4; ++k) EXPECT_TRUE(frame(k % 2 ? few : many, false)) << "coordinates " << k;
    EXPECT_TRUE(frame(many, true)) << "map after coordinates";
    if (gx == 480) {  // most of the 28,800 groups held no pillar in this frame or the last
      r.canvas.Poison();
      EXPECT_FALSE(frame(few, true)) << "a foreign write is invisible without a reset: only what changed is written";
    }
    r.canvas.Poison();
    ASSERT_TRUE(ScatterSparseCudaReset(r.sc, r.state.get(), r.bytes, nullptr).ok());
    EXPECT_TRUE(frame(few, true)) << "map, starting over after a reset";
    EXPECT_TRUE(frame(many, false)) << "coordinates after the map started over";
    EXPECT_TRUE(frame(few, false)) << "coordinates, fewer";
    // The map without per-cell counts (the deterministic voxeliser's): stale ids are at or above the count there.
    std::fill(pillar.begin(), pillar.end(), 1 << 30);
    pillar[0] = 0;
    d_pillar.Upload(pillar);
    int32_t one = 1;
    d_count.Upload(std::vector<int32_t>{one});
    std::vector<int32_t> const coords0 = {0, 0, 0};
    std::vector<float> want(r.cells, -7.0f);
    ASSERT_TRUE(ScatterCpu(r.sc, r.feat.data(), coords0.data(), &one, want.data()).ok());
    ASSERT_TRUE(ScatterSparseCellsCuda(r.sc, r.d_feat.get(), {nullptr, d_pillar.get(), gx, gy}, d_count.get(),
                                       r.canvas.get(), r.state.get(), r.bytes, nullptr)
                    .ok());
    ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
    std::vector<float> const got = r.canvas.Download(r.cells);
    EXPECT_EQ(std::memcmp(got.data(), want.data(), r.cells * sizeof(float)), 0) << "map without counts";
    // Refusals: a map of another grid, no map, a short state, no clear.
    VoxelCellMap const map{d_points.get(), d_pillar.get(), gx, gy};
    VoxelCellMap other = map;
    other.ny = gy + 1;
    EXPECT_EQ(ScatterSparseCellsCuda(r.sc, r.d_feat.get(), other, d_count.get(), r.canvas.get(), r.state.get(), r.bytes,
                                     nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
    other = map;
    other.cell_pillar = nullptr;
    EXPECT_EQ(ScatterSparseCellsCuda(r.sc, r.d_feat.get(), other, d_count.get(), r.canvas.get(), r.state.get(), r.bytes,
                                     nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(ScatterSparseCellsCuda(r.sc, r.d_feat.get(), map, d_count.get(), r.canvas.get(), r.state.get(),
                                     r.bytes - 1, nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
    ScatterConfig no_clear = r.sc;
    no_clear.clear_canvas = false;
    EXPECT_EQ(ScatterSparseCellsCuda(no_clear, r.d_feat.get(), map, d_count.get(), r.canvas.get(), r.state.get(),
                                     r.bytes, nullptr)
                  .code(),
              StatusCode::kInvalidArgument);
  }
}

// The fast voxeliser (the runtime's) over a sequence of clouds, one workspace per grid kept from call to call as the
// runtime keeps its own (poisoned once, sized for the largest cloud): every cloud's pillar set, counts and counters
// are the CPU's wherever the fast mode's are defined to be (all of them unless pillars overflow; pillar count, dropped
// pillars and out-of-range points always), through empty clouds, single points, overfull pillars and dropped pillars.
// CloudCount() clouds (1,000 by default: the fast voxeliser's 1,000-cloud check), at least 80 unless the count is
// set lower (sanitizer runs): then twice the count.
TEST(PillarsCuda, FastVoxelizeOverASequenceMatchesCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(31);
  constexpr int64_t kMaxPoints = 200000;
  std::map<int, DeviceBuffer<char>> workspaces;  // by grid (0: Autoware's, 1: AWML's)
  // Each grid's canvas and sparse scatter state, kept from cloud to cloud: the pillars are scattered by the
  // voxeliser's cell map (every fourth cloud by their coordinates instead, on the same state).
  std::map<int, Scratch::Sparse> canvases;
  constexpr int kChannels = 8;
  std::vector<float> feat(static_cast<size_t>(40000) * kChannels);
  for (size_t k = 0; k < feat.size(); ++k) feat[k] = 1.0f + static_cast<float>(k % 977);
  DeviceBuffer<float> d_feat;
  d_feat.Upload(feat);
  int const clouds = std::min(std::max(80, CloudCount()), 2 * CloudCount());
  for (int i = 0; i < clouds; ++i) {
    SCOPED_TRACE("cloud " + std::to_string(i));
    VoxelizeConfig vc = i % 2 ? AwmlConfig() : AutowareConfig();
    vc.mode = VoxelizeMode::kFast;
    vc.zero_unused_slots = i % 3 == 0;
    if (i % 5 == 4) vc.max_pillars = 500;          // pillars dropped
    if (i % 7 == 2) vc.max_points_per_pillar = 4;  // points dropped from full pillars
    int64_t const n = i < 2 || i % 17 == 9 ? 0 : (i < 4 ? 1 : static_cast<int64_t>(rng() % (kMaxPoints + 1)));
    std::vector<float> const cloud = testing::RandomCloud(&rng, n, vc.num_point_features, vc.grid);
    size_t ws_bytes = 0;
    ASSERT_TRUE(VoxelizeCudaWorkspaceBytes(vc, kMaxPoints, &ws_bytes).ok());
    DeviceBuffer<char>& ws = workspaces[i % 2];
    if (ws.size() == 0) {
      ws.Resize(ws_bytes);
      ws.Poison();
    }
    ASSERT_EQ(ws.size(), ws_bytes);
    testing::VoxelHost cpu(vc);
    VoxelizeConfig det = vc;
    det.mode = VoxelizeMode::kDeterministic;
    ASSERT_TRUE(VoxelizeCpu(det, cloud.data(), n, cpu.outputs()).ok());
    DeviceBuffer<float> d_cloud, d_pts(cpu.points.size());
    d_cloud.Upload(cloud);
    d_pts.Poison();
    DeviceBuffer<int32_t> d_num(cpu.num.size()), d_coords(cpu.coords.size()), d_counters(kNumVoxelizeCounters);
    d_counters.Poison();
    ASSERT_TRUE(VoxelizeCuda(vc, d_cloud.get(), n, {d_pts.get(), d_num.get(), d_coords.get(), d_counters.get()},
                             ws.get(), ws_bytes, nullptr)
                    .ok());
    std::vector<int32_t> const counters = d_counters.Download(kNumVoxelizeCounters);
    int32_t const p = cpu.counters[kPillarCount];
    ASSERT_EQ(counters[kPillarCount], p);
    ASSERT_EQ(counters[kPillarsDropped], cpu.counters[kPillarsDropped]);
    ASSERT_EQ(counters[kPointsOutOfRange], cpu.counters[kPointsOutOfRange]);
    std::vector<int32_t> const num = d_num.Download(p), coords = d_coords.Download(3 * p);
    {  // the sparse scatter of this frame's pillars equals ScatterCpu of their coordinates
      PillarGridF g{};
      ASSERT_TRUE(ResolvePillarGrid(vc.grid, &g).ok());
      ScatterConfig const sc = ScatterOnGrid(g, kChannels, vc.max_pillars);
      size_t const cells = static_cast<size_t>(kChannels) * g.nx * g.ny;
      size_t state_bytes = 0;
      ASSERT_TRUE(ScatterSparseCudaStateBytes(sc, &state_bytes).ok());
      Scratch::Sparse& sp = canvases[i % 2];
      if (sp.AllocateOnce(state_bytes, cells)) {
        ASSERT_TRUE(ScatterSparseCudaReset(sc, sp.state.get(), state_bytes, nullptr).ok());
      }
      VoxelCellMap m{};
      ASSERT_TRUE(VoxelizeCudaCellMap(vc, ws.get(), ws_bytes, &m).ok());
      int32_t const* d_count = d_counters.get() + kPillarCount;
      if (i % 4 == 3) {
        ASSERT_TRUE(ScatterSparseCuda(sc, d_feat.get(), d_coords.get(), d_count, sp.canvas.get(), sp.state.get(),
                                      state_bytes, nullptr)
                        .ok());
      } else {
        ASSERT_TRUE(
            ScatterSparseCellsCuda(sc, d_feat.get(), m, d_count, sp.canvas.get(), sp.state.get(), state_bytes, nullptr)
                .ok());
      }
      std::vector<float> want(cells, -7.0f);
      int32_t const none[3] = {0, 0, 0};  // ScatterCpu takes no null pointer, even for no pillar
      ASSERT_TRUE(ScatterCpu(sc, feat.data(), p > 0 ? coords.data() : none, &p, want.data()).ok());
      std::vector<float> const got = sp.canvas.Download(cells);
      ASSERT_EQ(std::memcmp(got.data(), want.data(), cells * sizeof(float)), 0)
          << (i % 4 == 3 ? "by coordinates" : "by the cell map");
    }
    int64_t placed = 0;  // every point is placed, dropped or out of range, once
    for (int32_t c : num) placed += c;
    ASSERT_EQ(
        placed + counters[kPointsDroppedNoPillar] + counters[kPointsDroppedPillarFull] + counters[kPointsOutOfRange],
        n);
    if (cpu.counters[kPillarsDropped] > 0) continue;  // which cells got the pillars is arrival order
    ASSERT_EQ(counters, cpu.counters);
    std::vector<float> const pts =
        d_pts.Download(static_cast<size_t>(p) * vc.max_points_per_pillar * vc.num_point_features);
    if (cpu.counters[kPointsDroppedPillarFull] > 0) {  // which points stay in a full pillar is arrival order
      std::map<std::pair<int, int>, int> want, got;
      for (int q = 0; q < p; ++q) {
        want[{cpu.coords[3 * q + 1], cpu.coords[3 * q + 2]}] = cpu.num[q];
        got[{coords[3 * q + 1], coords[3 * q + 2]}] = num[q];
      }
      ASSERT_TRUE(want == got);
    } else {
      ASSERT_TRUE(PillarSet(vc, p, cpu.num.data(), cpu.coords.data(), cpu.points.data()) ==
                  PillarSet(vc, p, num.data(), coords.data(), pts.data()));
    }
  }
}

TEST(PillarsCuda, RejectsSmallWorkspace) {
  REQUIRE_GPU();
  VoxelizeConfig vc = TinyConfig();
  DeviceBuffer<float> d(1000);
  DeviceBuffer<int32_t> i(1000);
  EXPECT_EQ(VoxelizeCuda(vc, d.get(), 10, {d.get(), i.get(), i.get(), i.get()}, d.get(), 4, nullptr).code(),
            StatusCode::kInvalidArgument);
  VoxelCellMap m{};
  EXPECT_EQ(VoxelizeCudaCellMap(vc, d.get(), 4, &m).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VoxelizeCudaCellMap(vc, nullptr, 4000, &m).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace awml::kernels
