// Autoware CenterPoint's own CUDA pre/post-processing (autoware.universe b8ce82e, autoware_lidar_centerpoint),
// timed like //tools/bench:kernels_bench on the same seeded clouds and head tensors (tools/bench/lidar_scene.h):
// CUDA events, 20 warm-ups, median and p90 of 200 timed runs, 4 input sets rotated every iteration, and the same
// JSON format (so tools/bench/summarize_side_by_side.py reads both). This file is ours; the Autoware kernels and
// host code are compiled from a checkout outside this repository by tools/bench/autoware/build.sh, which also
// applies the one-line shuffle fix (docs: shared/docs/reference/autoware_kernel_baseline.md, section 7).
//
//   autoware_bench <out.json>     run on the GPU, print a table, write the JSON
//   autoware_bench --stats-only   CPU only: pillar / candidate / kept counts of every input under Autoware's rules
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autoware/lidar_centerpoint/centerpoint_config.hpp"
#include "autoware/lidar_centerpoint/network/scatter_kernel.hpp"
#include "autoware/lidar_centerpoint/postprocess/postprocess_kernel.hpp"
#include "autoware/lidar_centerpoint/preprocess/preprocess_kernel.hpp"
#include "autoware/lidar_centerpoint/utils.hpp"
#include "tools/bench/autoware/autoware_common.h"
#include "tools/bench/autoware/autoware_ref.h"
#include "tools/bench/lidar_scene.h"

namespace aw = autoware::lidar_centerpoint;

namespace awml::bench {
namespace {

// Autoware's defaults (centerpoint_ml_package.param.yaml + centerpoint.param.yaml), through its own constructor.
aw::CenterPointConfig MakeConfig() {
  return aw::CenterPointConfig(5, 4.0f, 2000000, 40000, {-76.8, -76.8, -4.0, 76.8, 76.8, 6.0}, {0.32, 0.32, 10.0}, 1, 9,
                               0.35f, 0.5f, {0.3, 0.3, 0.3, 0.3, 0.0}, false);
}

constexpr int64_t kPoints[3] = {30000, 120000, 300000};
constexpr int kObjects[3] = {12, 45, 180};
char const* const kPostNames[3] = {"post-S", "post-M", "post-L"};
constexpr float kRange = 76.8f;  // LidarCloud's range argument, as kernels_bench passes it for this grid

int StatsOnly() {
  aw::CenterPointConfig const c = MakeConfig();
  std::printf("config: grid %zu x %zu, max_voxel_size %zu, cloud_capacity %zu, score %.2f, circle NMS %.2f m\n",
              c.grid_size_x_, c.grid_size_y_, c.max_voxel_size_, c.cloud_capacity_, c.score_threshold_,
              c.circle_nms_dist_threshold_);
  for (int64_t n : kPoints) {
    double pillars = 0.0, kept = 0.0;
    for (int s = 0; s < kSets; ++s) {
      std::vector<float> const cloud = LidarCloud(100 + s, n, 4, kRange);
      autoware_ref::CloudStats const st = autoware_ref::Pillars(RefGrid(c), cloud.data(), n);
      pillars += st.pillars / static_cast<double>(kSets);
      kept += st.kept_points / static_cast<double>(kSets);
    }
    std::printf("autoware_480x480_0.32m %lld pillars %.2f kept_points %.2f\n", static_cast<long long>(n), pillars,
                kept);
  }
  for (int objects : kObjects) {
    double cand = 0.0, kept = 0.0;
    for (int s = 0; s < kSets; ++s) {
      std::vector<float> const t =
          Heads(200 + s, static_cast<int>(c.class_size_), c.down_grid_size_y_, c.down_grid_size_x_, objects);
      autoware_ref::HeadStats const st = autoware_ref::Boxes(RefHeads(c), t.data());
      cand += st.candidates / static_cast<double>(kSets);
      kept += st.kept / static_cast<double>(kSets);
    }
    std::printf("post objects %d candidates %.2f kept %.2f\n", objects, cand, kept);
  }
  return 0;
}

}  // namespace
}  // namespace awml::bench

int main(int argc, char** argv) {
  using namespace awml::bench;
  std::string const arg = argc > 1 ? argv[1] : "";
  if (arg == "--help" || arg == "-h") {
    std::printf(
        "usage: autoware_bench <out.json> | --stats-only | --help\n"
        "Times Autoware CenterPoint's CUDA pre/post-processing (autoware.universe b8ce82e) on kernels_bench's "
        "inputs.\n");
    return 0;
  }
  if (arg == "--stats-only") return StatsOnly();
  if (argc != 2 || arg.empty() || arg[0] == '-') {
    std::fprintf(stderr,
                 "autoware_bench | bad arguments. Note: expected `<out.json>`, `--stats-only` or `--help`, got %d "
                 "argument(s)%s%s\n",
                 argc - 1, argc > 1 ? ", first " : "", argc > 1 ? argv[1] : "");
    return 2;
  }
  if (awml::kernels::testing::CudaDeviceCount() == 0) {
    std::fprintf(stderr, "autoware_bench: no CUDA device\n");
    return 2;
  }
  std::srand(12345);  // Autoware seeds with time(nullptr); fixed here (the shuffle's per-frame offset)
  aw::CenterPointConfig const config = MakeConfig();
  cudaStream_t st;
  CheckCuda(cudaStreamCreate(&st), "stream");  // Autoware's stream: cudaStreamCreate (blocking)
  double const bw = CopyBandwidth(st);
  std::vector<Row> rows;
  for (int64_t n : kPoints) BenchPre(config, st, n, &rows);
  for (int i = 0; i < 3; ++i) BenchPost(config, st, kObjects[i], kPostNames[i], &rows);
  PrintTable(rows, bw);
  return WriteJson(arg, rows, bw) ? 0 : 1;
}
