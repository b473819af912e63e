// Links the installed libawml_kernels.so through find_package(awml_trt_runtime) and checks the
// scatter and voxelize launchers on a tiny scene; with CUDA and a device, ScatterCuda too.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"

#if AWML_CONSUMER_CUDA
#include <cuda_runtime_api.h>
#endif

namespace k = awml::kernels;

int Fail(char const* what) {
  std::fprintf(stderr, "consumer: FAILED %s\n", what);
  return 1;
}

int main() {
  // Two points in one pillar, one in another, one out of range.
  k::VoxelizeConfig voxelize;
  voxelize.grid = {0.0, 0.0, -1.0, 4.0, 4.0, 1.0, 1.0, 1.0, 2.0};
  voxelize.max_points_per_pillar = 4;
  voxelize.max_pillars = 8;
  std::vector<float> const points = {0.5f, 0.5f, 0.0f, 1.0f, 0.6f, 0.4f, 0.0f, 2.0f,
                                     2.5f, 3.5f, 0.0f, 3.0f, 9.0f, 9.0f, 0.0f, 4.0f};
  std::vector<float> pillar_points(8 * 4 * 4);
  std::vector<int32_t> per_pillar(8), coords(8 * 3), counters(k::kNumVoxelizeCounters);
  k::VoxelizeOutputs out{pillar_points.data(), per_pillar.data(), coords.data(), counters.data()};
  if (!k::VoxelizeCpu(voxelize, points.data(), 4, out).ok()) return Fail("VoxelizeCpu status");
  if (counters[k::kPillarCount] != 2 || counters[k::kPointsOutOfRange] != 1 || per_pillar[0] != 2) {
    return Fail("VoxelizeCpu counts");
  }

  k::ScatterConfig scatter;
  scatter.num_channels = 2;
  scatter.grid_x = 4;
  scatter.grid_y = 4;
  scatter.max_pillars = 8;
  std::vector<float> features = {1.0f, 2.0f, 3.0f, 4.0f};
  std::vector<float> canvas(2 * 4 * 4, -1.0f);
  int32_t const count = counters[k::kPillarCount];
  if (!k::ScatterCpu(scatter, features.data(), coords.data(), &count, canvas.data()).ok()) return Fail("ScatterCpu");
  // Pillar 1 is cell (y=3, x=2): channel 0 -> 3, channel 1 -> 4.
  if (canvas[3 * 4 + 2] != 3.0f || canvas[16 + 3 * 4 + 2] != 4.0f || canvas[0] != 1.0f)
    return Fail("ScatterCpu values");

#if AWML_CONSUMER_CUDA
  int devices = 0;
  if (cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0) {
    void* d_features = nullptr;
    void* d_canvas = nullptr;
    void* d_coords = nullptr;
    void* d_count = nullptr;
    cudaMalloc(&d_features, features.size() * sizeof(float));
    cudaMalloc(&d_canvas, canvas.size() * sizeof(float));
    cudaMalloc(&d_coords, coords.size() * sizeof(int32_t));
    cudaMalloc(&d_count, sizeof(int32_t));
    cudaMemcpy(d_features, features.data(), features.size() * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(d_coords, coords.data(), coords.size() * sizeof(int32_t), cudaMemcpyHostToDevice);
    cudaMemcpy(d_count, &count, sizeof(int32_t), cudaMemcpyHostToDevice);
    if (!k::ScatterCuda(scatter, static_cast<float const*>(d_features), static_cast<int32_t const*>(d_coords),
                        static_cast<int32_t const*>(d_count), static_cast<float*>(d_canvas), nullptr)
             .ok()) {
      return Fail("ScatterCuda");
    }
    std::vector<float> gpu(canvas.size());
    cudaMemcpy(gpu.data(), d_canvas, gpu.size() * sizeof(float), cudaMemcpyDeviceToHost);
    if (gpu != canvas) return Fail("ScatterCuda values");
    std::printf("consumer: ScatterCuda matches ScatterCpu on the device\n");
  } else {
    std::printf("consumer: no CUDA device, CUDA launcher not exercised\n");
  }
#endif
  std::printf("consumer: OK (%d pillars)\n", count);
  return 0;
}
