// Benchmark of the CenterPoint kernels: CUDA events, warm-up, median (and p90) of >= 100 timed runs,
// 30k / 120k / 300k lidar-like points at Autoware's default grid and at the AWML grid, plus decode + circle
// NMS at 480 x 480 x 5 classes. Prints a table and writes JSON (GPU, driver, CUDA version, date) to argv[1].
// Pillar and box counts (and so the byte counts) come from the CPU reference on the same seeded inputs.
// `kernels_bench --stats-only` prints those counts without a GPU.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"
#include "tests/cpp/kernels/device_buffer.h"
#include "tools/bench/bench_timing.h"
#include "tools/bench/lidar_scene.h"

namespace awml::bench {
namespace {

using kernels::testing::CheckCuda;
using kernels::testing::DeviceBuffer;

void Ok(Status const& s, char const* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, s.message().c_str());
    std::exit(1);
  }
}

struct GridSpec {
  char const* name;
  kernels::PillarGrid grid;
  float range;
};

// Pillar statistics of the benchmark clouds, from the CPU reference (deterministic; the fast mode writes the
// same pillar set and counts whenever no pillar overflows, which holds for these clouds).
struct PreStats {
  double pillars = 0.0, kept_points = 0.0;
};

PreStats CloudStats(GridSpec const& gs, int64_t n) {
  kernels::VoxelizeConfig vc;
  vc.grid = gs.grid;
  PreStats st;
  for (int s = 0; s < kSets; ++s) {
    std::vector<float> const cloud = LidarCloud(100 + s, n, vc.num_point_features, gs.range);
    std::vector<float> pts(static_cast<size_t>(vc.max_pillars) * vc.max_points_per_pillar * vc.num_point_features);
    std::vector<int32_t> num(vc.max_pillars), coords(3 * vc.max_pillars), c(kernels::kNumVoxelizeCounters);
    Ok(kernels::VoxelizeCpu(vc, cloud.data(), n, {pts.data(), num.data(), coords.data(), c.data()}), "stats");
    st.pillars += c[kernels::kPillarCount] / static_cast<double>(kSets);
    for (int q = 0; q < c[kernels::kPillarCount]; ++q) st.kept_points += num[q] / static_cast<double>(kSets);
  }
  return st;
}

struct PostStats {
  double candidates = 0.0, kept = 0.0;
};

PostStats HeadStats(kernels::DecodeConfig const& dc, kernels::CircleNmsConfig const& nc, int objects) {
  int const classes = dc.num_classes;
  size_t const plane = static_cast<size_t>(dc.grid_x) * dc.grid_y;
  PostStats st;
  std::vector<float> boxes(static_cast<size_t>(dc.top_k) * kernels::kBoxFields), kept(boxes.size());
  for (int s = 0; s < kSets; ++s) {
    std::vector<float> const t = Heads(200 + s, classes, dc.grid_y, dc.grid_x, objects);
    float const* b = t.data();
    kernels::HeadTensors const h{b,
                                 b + classes * plane,
                                 b + (classes + 2) * plane,
                                 b + (classes + 3) * plane,
                                 b + (classes + 6) * plane,
                                 b + (classes + 8) * plane};
    int32_t counters[kernels::kNumDecodeCounters] = {};
    Ok(kernels::DecodeCpu(dc, h, {boxes.data(), counters}), "stats decode");
    int32_t n_kept = 0;
    Ok(kernels::CircleNmsCpu(nc, boxes.data(), &counters[kernels::kNumBoxes], kept.data(), &n_kept), "stats nms");
    st.candidates += counters[kernels::kNumBoxes] / static_cast<double>(kSets);
    st.kept += n_kept / static_cast<double>(kSets);
  }
  return st;
}

void BenchPre(cudaStream_t st, GridSpec const& gs, int64_t n, std::vector<Row>* rows) {
  kernels::VoxelizeConfig vc;
  vc.grid = gs.grid;
  vc.mode = kernels::VoxelizeMode::kFast;
  vc.zero_unused_slots = false;  // as the runtime runs it: the feature decoration never reads those slots
  kernels::PillarGridF g{};
  Ok(kernels::ResolvePillarGrid(vc.grid, &g), "grid");
  int const f = vc.num_point_features, mp = vc.max_points_per_pillar, maxp = vc.max_pillars, channels = 32;
  std::vector<DeviceBuffer<float>> clouds(kSets);
  for (int s = 0; s < kSets; ++s) clouds[s].Upload(LidarCloud(100 + s, n, f, gs.range));
  DeviceBuffer<float> pts(static_cast<size_t>(maxp) * mp * f), feat(static_cast<size_t>(maxp) * mp * 9);
  DeviceBuffer<float> pfeat(static_cast<size_t>(maxp) * channels), canvas(static_cast<size_t>(channels) * g.nx * g.ny);
  DeviceBuffer<int32_t> num(maxp), coords(3 * maxp), counters(kernels::kNumVoxelizeCounters);
  CheckCuda(cudaMemset(pfeat.get(), 0x3c, pfeat.size() * 4), "pfeat");
  size_t fast_bytes = 0, det_bytes = 0;
  Ok(kernels::VoxelizeCudaWorkspaceBytes(vc, n, &fast_bytes), "ws");
  kernels::VoxelizeConfig det = vc;
  det.mode = kernels::VoxelizeMode::kDeterministic;
  Ok(kernels::VoxelizeCudaWorkspaceBytes(det, n, &det_bytes), "ws");
  DeviceBuffer<char> ws(std::max(fast_bytes, det_bytes));
  kernels::VoxelizeConfig zeroing = vc;
  zeroing.zero_unused_slots = true;
  kernels::VoxelizeOutputs const out{pts.get(), num.get(), coords.get(), counters.get()};
  kernels::PillarFeaturesConfig fc;
  fc.grid = vc.grid;
  kernels::ScatterConfig sc;
  sc.grid_x = g.nx;
  sc.grid_y = g.ny;
  auto voxelize = [&](kernels::VoxelizeConfig const& c, int s) {
    Ok(kernels::VoxelizeCuda(c, clouds[s].get(), n, out, ws.get(), ws.size(), st), "voxelize");
  };
  auto features = [&]() {
    Ok(kernels::PillarFeaturesCuda(fc, pts.get(), num.get(), coords.get(), counters.get(), feat.get(), st), "features");
  };
  // The sparse decoration (the runtime's since 2026-12-06) writes its own buffer with a state kept from call to call.
  DeviceBuffer<float> sparse_feat(feat.size());
  size_t feat_state_bytes = 0;
  Ok(kernels::PillarFeaturesSparseCudaStateBytes(fc, &feat_state_bytes), "ws");
  DeviceBuffer<char> feat_state(feat_state_bytes);
  Ok(kernels::PillarFeaturesSparseCudaReset(fc, feat_state.get(), feat_state_bytes, st), "reset");
  auto sparse_features = [&](float const* p_pts, int32_t const* p_num, int32_t const* p_coords,
                             int32_t const* p_counters) {
    Ok(kernels::PillarFeaturesSparseCuda(fc, p_pts, p_num, p_coords, p_counters, sparse_feat.get(), feat_state.get(),
                                         feat_state_bytes, st),
       "sparse features");
  };
  size_t scatter_bytes = 0;
  Ok(kernels::ScatterDenseCudaWorkspaceBytes(sc, &scatter_bytes), "ws");
  DeviceBuffer<char> scatter_ws(scatter_bytes);
  auto scatter = [&]() {
    Ok(kernels::ScatterDenseCuda(sc, pfeat.get(), coords.get(), counters.get(), canvas.get(), scatter_ws.get(),
                                 scatter_bytes, st),
       "scatter");
  };
  // The sparse scatter (the runtime's since 2026-12-06): a state kept from call to call on its own canvas (the dense
  // scatters write the other one). Its own row alternates between two frames' coordinates (sets 1 and 0), so that every
  // call's previous frame is another cloud, as in "whole".
  DeviceBuffer<float> sparse_canvas(canvas.size());
  size_t sparse_bytes = 0;
  Ok(kernels::ScatterSparseCudaStateBytes(sc, &sparse_bytes), "ws");
  DeviceBuffer<char> sparse_state(sparse_bytes);
  Ok(kernels::ScatterSparseCudaReset(sc, sparse_state.get(), sparse_bytes, st), "reset");
  auto sparse_scatter = [&](int32_t const* frame_coords, int32_t const* frame_counters) {
    Ok(kernels::ScatterSparseCuda(sc, pfeat.get(), frame_coords, frame_counters, sparse_canvas.get(),
                                  sparse_state.get(), sparse_bytes, st),
       "sparse scatter");
  };
  // The runtime's sparse scatter: the pillars' cells from the voxeliser's cell map of the same frame, so each of the
  // two frames keeps its own voxeliser workspace (frame 1's in ws_b).
  DeviceBuffer<char> ws_b(ws.size());
  kernels::VoxelCellMap cells{}, cells_b{};
  Ok(kernels::VoxelizeCudaCellMap(vc, ws.get(), ws.size(), &cells), "cell map");
  Ok(kernels::VoxelizeCudaCellMap(vc, ws_b.get(), ws_b.size(), &cells_b), "cell map");
  auto cells_scatter = [&](kernels::VoxelCellMap const& frame_cells, int32_t const* frame_counters) {
    Ok(kernels::ScatterSparseCellsCuda(sc, pfeat.get(), frame_cells, frame_counters, sparse_canvas.get(),
                                       sparse_state.get(), sparse_bytes, st),
       "cells scatter");
  };
  auto scatter_after_memset = [&]() {
    Ok(kernels::ScatterCuda(sc, pfeat.get(), coords.get(), counters.get(), canvas.get(), st), "scatter");
  };
  // Pillar statistics (mean over the sets) for the byte counts, from the CPU reference.
  PreStats const stats = CloudStats(gs, n);
  double const pillars = stats.pillars, kept = stats.kept_points;
  double const canvas_bytes = 4.0 * channels * g.nx * g.ny;
  double const vox_bytes = n * f * 4.0 + kept * f * 4.0 + pillars * 16.0;
  double const feat_bytes = kept * f * 4.0 + pillars * 16.0 + pillars * mp * 9 * 4.0;
  double const scat_bytes = canvas_bytes + pillars * (channels * 4.0 + 12.0);
  double const whole_bytes =
      n * f * 4.0 + pillars * mp * 9 * 4.0 + pillars * 12.0 + canvas_bytes + pillars * channels * 4.0;
  // The sparse scatter's least traffic: write this frame's cells, clear the previous frame's, read the coordinates.
  double const sparse_bytes_min = pillars * (2.0 * channels * 4.0 + 12.0);
  // The sparse decoration's least traffic: the kept points in, their decorated rows out.
  double const feat_sparse_bytes = kept * f * 4.0 + pillars * 16.0 + kept * 9 * 4.0;
  double const whole_sparse_bytes =
      whole_bytes - canvas_bytes + pillars * channels * 4.0 - pillars * mp * 9 * 4.0 + kept * 9 * 4.0;
  int const p = static_cast<int>(pillars + 0.5);
  auto add = [&](char const* stage, Stat t, double bytes) { rows->push_back({gs.name, stage, n, p, t, bytes}); };
  add("voxelize_fast", Time(st, [&](int s) { voxelize(vc, s); }), vox_bytes);
  add("voxelize_fast_zeroing_unused_slots", Time(st, [&](int s) { voxelize(zeroing, s); }), vox_bytes);
  add("voxelize_deterministic", Time(st, [&](int s) { voxelize(det, s); }), vox_bytes);
  // A second frame (set 1) for the sparse rows, which alternate between two frames.
  DeviceBuffer<float> pts_b(pts.size());
  DeviceBuffer<int32_t> num_b(num.size()), coords_b(coords.size()), counters_b(counters.size());
  Ok(kernels::VoxelizeCuda(vc, clouds[1].get(), n, out, ws_b.get(), ws_b.size(), st), "voxelize");
  CheckCuda(cudaMemcpyAsync(pts_b.get(), pts.get(), pts.size() * 4, cudaMemcpyDeviceToDevice, st), "copy");
  CheckCuda(cudaMemcpyAsync(num_b.get(), num.get(), num.size() * 4, cudaMemcpyDeviceToDevice, st), "copy");
  CheckCuda(cudaMemcpyAsync(coords_b.get(), coords.get(), coords.size() * 4, cudaMemcpyDeviceToDevice, st), "copy");
  CheckCuda(cudaMemcpyAsync(counters_b.get(), counters.get(), counters.size() * 4, cudaMemcpyDeviceToDevice, st),
            "copy");
  voxelize(vc, 0);
  int32_t const* pillar_count = counters.get() + kernels::kPillarCount;
  int32_t const* pillar_count_b = counters_b.get() + kernels::kPillarCount;
  add("pillar_features", Time(st, [&](int) { features(); }), feat_bytes);
  add("pillar_features_sparse",
      Time(st,
           [&](int s) {
             if (s % 2) {
               sparse_features(pts_b.get(), num_b.get(), coords_b.get(), counters_b.get());
             } else {
               sparse_features(pts.get(), num.get(), coords.get(), counters.get());
             }
           }),
      feat_sparse_bytes);
  add("scatter_incl_canvas_clear", Time(st, [&](int) { scatter(); }), scat_bytes);
  add("scatter_sparse_clear",
      Time(st,
           [&](int s) {
             if (s % 2) {
               sparse_scatter(coords_b.get(), pillar_count_b);
             } else {
               sparse_scatter(coords.get(), pillar_count);
             }
           }),
      sparse_bytes_min);
  add("scatter_sparse_cells",
      Time(st,
           [&](int s) {
             if (s % 2) {
               cells_scatter(cells_b, pillar_count_b);
             } else {
               cells_scatter(cells, pillar_count);
             }
           }),
      sparse_bytes_min);
  add("scatter_memset_then_scatter", Time(st, [&](int) { scatter_after_memset(); }), scat_bytes);
  auto whole_fast = [&](int s) {
    voxelize(vc, s);
    features();
    scatter();
  };
  // The runtime's path: the sparse kernels keep their state in device memory, so a graph replay is a frame too.
  auto whole_sparse = [&](int s) {
    voxelize(vc, s);
    sparse_features(pts.get(), num.get(), coords.get(), counters.get());
    cells_scatter(cells, pillar_count);
  };
  // The same with the sparse scatter that claims the cells from the coordinates (the runtime's path until the cell
  // map), for a baseline in the same run.
  auto whole_sparse_coords = [&](int s) {
    voxelize(vc, s);
    sparse_features(pts.get(), num.get(), coords.get(), counters.get());
    sparse_scatter(coords.get(), pillar_count);
  };
  add("whole_pre_fast", Time(st, whole_fast), whole_bytes);
  add("whole_pre_fast_sparse", Time(st, whole_sparse), whole_sparse_bytes);
  add("whole_pre_fast_sparse_coords", Time(st, whole_sparse_coords), whole_sparse_bytes);
  add("whole_pre_deterministic",
      Time(st,
           [&](int s) {
             voxelize(det, s);
             features();
             scatter();
           }),
      whole_bytes);
  add("whole_pre_fast_graph", TimeGraphs(st, whole_fast), whole_bytes);
  add("whole_pre_fast_sparse_graph", TimeGraphs(st, whole_sparse), whole_sparse_bytes);
}

void BenchPost(cudaStream_t st, std::vector<Row>* rows) {
  kernels::DecodeConfig dc;
  dc.score_thresholds.fill(0.35f);
  dc.yaw_norm_thresholds = {0.3f, 0.3f, 0.3f, 0.3f, 0.0f};
  kernels::CircleNmsConfig nc, nc_sorted;
  nc_sorted.input_sorted = true;  // the decode output is already in rank order
  kernels::CircleNmsConfig nc_lists = nc_sorted;
  nc_lists.suppressor_lists = true;  // the runtime's: resolve suppressor lists instead of sweeping the mask
  int const classes = 5, h = 480, w = 480;
  size_t const plane = static_cast<size_t>(h) * w;
  int const objects[3] = {12, 45, 180};
  char const* names[3] = {"post-S", "post-M", "post-L"};
  size_t dws = 0, nws = 0;
  Ok(kernels::DecodeCudaWorkspaceBytes(dc, &dws), "ws");
  Ok(kernels::CircleNmsCudaWorkspaceBytes(nc, &nws), "ws");
  DeviceBuffer<char> dw(dws), nw(nws);
  DeviceBuffer<float> boxes(static_cast<size_t>(dc.top_k) * kernels::kBoxFields), kept(boxes.size());
  DeviceBuffer<int32_t> counters(kernels::kNumDecodeCounters), num_kept(1);
  for (int sc = 0; sc < 3; ++sc) {
    std::vector<DeviceBuffer<float>> heads(kSets);
    for (int s = 0; s < kSets; ++s) heads[s].Upload(Heads(200 + s, classes, h, w, objects[sc]));
    auto tensors = [&](int s) {
      float const* b = heads[s].get();
      return kernels::HeadTensors{b,
                                  b + classes * plane,
                                  b + (classes + 2) * plane,
                                  b + (classes + 3) * plane,
                                  b + (classes + 6) * plane,
                                  b + (classes + 8) * plane};
    };
    auto decode = [&](int s) {
      Ok(kernels::DecodeCuda(dc, tensors(s), {boxes.get(), counters.get()}, dw.get(), dws, st), "decode");
    };
    auto nms_with = [&](kernels::CircleNmsConfig const& c) {
      Ok(kernels::CircleNmsCuda(c, boxes.get(), counters.get(), kept.get(), num_kept.get(), nw.get(), nws, st), "nms");
    };
    auto nms = [&]() { nms_with(nc_sorted); };
    PostStats const stats = HeadStats(dc, nc, objects[sc]);
    double const cand = stats.candidates, out = stats.kept;
    double const head_bytes = (classes + 10) * plane * 4.0;
    std::string const cfg = std::string("autoware_480x480x5_") + names[sc];
    rows->push_back({cfg, "decode", 0, static_cast<int>(cand + 0.5), Time(st, decode), head_bytes});
    decode(0);
    rows->push_back({cfg, "circle_nms_input_sorted", 0, static_cast<int>(out + 0.5), Time(st, [&](int) { nms(); }),
                     cand * kernels::kBoxFields * 4.0 * 2});
    rows->push_back({cfg, "circle_nms_with_sort", 0, static_cast<int>(out + 0.5), Time(st, [&](int) { nms_with(nc); }),
                     cand * kernels::kBoxFields * 4.0 * 2});
    auto whole = [&](int s) {
      decode(s);
      nms();
    };
    auto whole_lists = [&](int s) {  // the runtime's
      decode(s);
      nms_with(nc_lists);
    };
    int const kept_boxes = static_cast<int>(out + 0.5);
    rows->push_back({cfg, "whole_post", 0, kept_boxes, Time(st, whole), head_bytes});
    rows->push_back({cfg, "circle_nms_lists_input_sorted", 0, kept_boxes, Time(st, [&](int) { nms_with(nc_lists); }),
                     cand * kernels::kBoxFields * 4.0 * 2});
    rows->push_back({cfg, "whole_post_lists", 0, kept_boxes, Time(st, whole_lists), head_bytes});
    rows->push_back({cfg, "whole_post_graph", 0, kept_boxes, TimeGraphs(st, whole), head_bytes});
    rows->push_back({cfg, "whole_post_lists_graph", 0, kept_boxes, TimeGraphs(st, whole_lists), head_bytes});
  }
}

}  // namespace
}  // namespace awml::bench

int main(int argc, char** argv) {
  using namespace awml::bench;
  GridSpec const grids[2] = {
      {"autoware_480x480_0.32m", {-76.8, -76.8, -4.0, 76.8, 76.8, 6.0, 0.32, 0.32, 10.0}, 76.8f},
      {"awml_1020x1020_0.24m", {-122.4, -122.4, -4.0, 122.4, 122.4, 6.0, 0.24, 0.24, 10.0}, 122.4f},
  };
  if (argc > 1 && std::string(argv[1]) == "--stats-only") {  // CPU only: input statistics of every scenario
    for (GridSpec const& g : grids) {
      for (int64_t n : {30000, 120000, 300000}) {
        PreStats const s = CloudStats(g, n);
        std::printf("%s %lld pillars %.2f kept_points %.2f\n", g.name, static_cast<long long>(n), s.pillars,
                    s.kept_points);
      }
    }
    awml::kernels::DecodeConfig dc;
    dc.score_thresholds.fill(0.35f);
    dc.yaw_norm_thresholds = {0.3f, 0.3f, 0.3f, 0.3f, 0.0f};
    for (int objects : {12, 45, 180}) {
      PostStats const s = HeadStats(dc, awml::kernels::CircleNmsConfig(), objects);
      std::printf("post objects %d candidates %.2f kept %.2f\n", objects, s.candidates, s.kept);
    }
    return 0;
  }
  if (awml::kernels::testing::CudaDeviceCount() == 0) {
    std::fprintf(stderr, "kernels_bench: no CUDA device\n");
    return 2;
  }
  cudaStream_t st;
  CheckCuda(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking), "stream");
  double const bw = CopyBandwidth(st);
  std::vector<Row> rows;
  for (GridSpec const& g : grids) {
    for (int64_t n : {30000, 120000, 300000}) BenchPre(st, g, n, &rows);
  }
  BenchPost(st, &rows);
  PrintTable(rows, bw);
  if (argc > 1 && !WriteJson(argv[1], rows, bw)) return 1;
  return 0;
}
