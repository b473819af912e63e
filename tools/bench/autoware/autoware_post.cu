// Autoware's postprocessing (decode + circle NMS), as shipped and "lean".
//
// As shipped: PostProcessCUDA::generateDetectedBoxes3D_launch unmodified, events around the call (its per-frame
// device_vector allocations and fill, count_if to the host, copy_if, thrust::sort, circleNMS with the mask copied
// to the host and swept there, the keep mask copied back, the final copy_if, the copy into a std::vector and the
// frees are all inside).
//
// Lean: Autoware's two kernels (generateBoxes3D_kernel, and circleNMS_Kernel through Autoware's circleNMS_launch)
// with every buffer allocated once, no fill (the decode kernel writes every cell), the score filter as one CUB
// select into a preallocated buffer and the sort as CUB's merge sort (what thrust::sort with a comparator runs) with
// preallocated temporary storage. Autoware's NMS kernel takes its grid size from the candidate count on the host, so
// the lean path still has one 4-byte readback and sync. "aw_post_kernels_lean" ends at the NMS mask on the device;
// "aw_post_lean_with_sweep" adds the mask readback into pinned memory and the greedy sweep on the host (our code).
#include <cuda_runtime.h>
#include <thrust/device_vector.h>

#include <cstdint>
#include <cstdio>
#include <cub/device/device_merge_sort.cuh>
#include <cub/device/device_select.cuh>
#include <functional>
#include <string>
#include <vector>

#include "autoware/lidar_centerpoint/postprocess/postprocess_kernel.hpp"
#include "autoware/lidar_centerpoint/utils.hpp"
#include "tools/bench/autoware/autoware_common.h"
#include "tools/bench/autoware/autoware_ref.h"
#include "tools/bench/lidar_scene.h"

// Declarations (ours) of two functions Autoware defines in its .cu files but declares in no header; the build links
// Autoware's definitions.
namespace autoware::lidar_centerpoint {
__global__ void generateBoxes3D_kernel(float const* out_heatmap, float const* out_offset, float const* out_z,
                                       float const* out_dim, float const* out_rot, float const* out_vel,
                                       float voxel_size_x, float voxel_size_y, float range_min_x, float range_min_y,
                                       std::size_t down_grid_size_x, std::size_t down_grid_size_y,
                                       std::size_t downsample_factor, int class_size, bool has_variance,
                                       float const* yaw_norm_thresholds, Box3D* det_boxes3d);
cudaError_t circleNMS_launch(thrust::device_vector<Box3D> const& boxes3d, std::size_t num_boxes3d,
                             std::size_t col_blocks, float distance_threshold,
                             thrust::device_vector<std::uint64_t>& mask, cudaStream_t stream);
}  // namespace autoware::lidar_centerpoint

namespace aw = autoware::lidar_centerpoint;

namespace awml::bench {
namespace {

constexpr int kNmsBlock = 16;       // circleNMS_Kernel's boxes per block (bits used per mask word)
constexpr int64_t kMaxCand = 8192;  // the lean path's preallocated NMS mask holds this many candidates
constexpr int kDecodeBlock = 32;    // generateBoxes3D_kernel's block edge as Autoware launches it

struct ScoreAbove {
  float t;
  __device__ bool operator()(aw::Box3D const& b) const { return b.score > t; }
};
struct ScoreGreater {
  __device__ bool operator()(aw::Box3D const& a, aw::Box3D const& b) const { return a.score > b.score; }
};

int64_t DivUp(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

void BenchPost(aw::CenterPointConfig const& c, cudaStream_t st, int objects, char const* name, std::vector<Row>* rows) {
  int const classes = static_cast<int>(c.class_size_);
  size_t const dx = c.down_grid_size_x_, dy = c.down_grid_size_y_, plane = dx * dy;
  std::vector<DeviceBuffer<float>> heads(kSets);
  std::vector<autoware_ref::HeadStats> ref(kSets);
  for (int s = 0; s < kSets; ++s) {
    std::vector<float> const t = Heads(200 + s, classes, static_cast<int>(dy), static_cast<int>(dx), objects);
    ref[s] = autoware_ref::Boxes(RefHeads(c), t.data());
    heads[s].Upload(t);
  }
  // Autoware's engine outputs are six tensors; they point into our one [C + 10, H, W] buffer as kernels_bench's do.
  auto head = [&](int s, int channel) { return heads[s].get() + channel * plane; };

  aw::PostProcessCUDA post(c);
  std::vector<aw::Box3D> out;
  int64_t shipped_kept = 0;
  auto shipped = [&](int s) {
    CheckCuda(
        post.generateDetectedBoxes3D_launch(head(s, 0), head(s, classes), head(s, classes + 2), head(s, classes + 3),
                                            head(s, classes + 6), head(s, classes + 8), out, st),
        "generateDetectedBoxes3D_launch");
    shipped_kept = static_cast<int64_t>(out.size());
  };

  DeviceBuffer<aw::Box3D> boxes(plane);
  thrust::device_vector<aw::Box3D> cand(plane);
  thrust::device_vector<std::uint64_t> mask(kMaxCand * DivUp(kMaxCand, kNmsBlock));
  DeviceBuffer<float> yaw_thr;
  yaw_thr.Upload(c.yaw_norm_thresholds_);
  DeviceBuffer<int> num_selected(1);
  aw::Box3D* const cand_ptr = thrust::raw_pointer_cast(cand.data());
  size_t select_bytes = 0, sort_bytes = 0;
  CheckCuda(cub::DeviceSelect::If(nullptr, select_bytes, boxes.get(), cand_ptr, num_selected.get(), plane,
                                  ScoreAbove{c.score_threshold_}, st),
            "select size");
  CheckCuda(
      cub::DeviceMergeSort::SortKeys(nullptr, sort_bytes, cand_ptr, static_cast<int64_t>(plane), ScoreGreater{}, st),
      "sort size");
  DeviceBuffer<char> temp(std::max(select_bytes, sort_bytes));
  int* count_h = nullptr;
  std::uint64_t* mask_h = nullptr;
  CheckCuda(cudaMallocHost(&count_h, sizeof(int)), "pinned");
  CheckCuda(cudaMallocHost(&mask_h, mask.size() * sizeof(std::uint64_t)), "pinned");
  int64_t n_cand = 0, lean_kept = 0;
  auto decode = [&](int s) {
    dim3 const blocks(DivUp(dy, kDecodeBlock), DivUp(dx, kDecodeBlock)), threads(kDecodeBlock, kDecodeBlock);
    aw::generateBoxes3D_kernel<<<blocks, threads, 0, st>>>(
        head(s, 0), head(s, classes), head(s, classes + 2), head(s, classes + 3), head(s, classes + 6),
        head(s, classes + 8), c.voxel_size_x_, c.voxel_size_y_, c.range_min_x_, c.range_min_y_, dx, dy,
        c.downsample_factor_, classes, c.has_variance_, yaw_thr.get(), boxes.get());
    CheckCuda(cudaGetLastError(), "generateBoxes3D_kernel");
  };
  auto select_count = [&](int) {
    size_t bytes = temp.size();
    CheckCuda(cub::DeviceSelect::If(temp.get(), bytes, boxes.get(), cand_ptr, num_selected.get(), plane,
                                    ScoreAbove{c.score_threshold_}, st),
              "select");
    CheckCuda(cudaMemcpyAsync(count_h, num_selected.get(), sizeof(int), cudaMemcpyDeviceToHost, st), "count D2H");
    CheckCuda(cudaStreamSynchronize(st), "count sync");
    n_cand = *count_h;
    Require(n_cand <= kMaxCand, std::string(name) + ": " + std::to_string(n_cand) +
                                    " candidates. Note: expected at most " + std::to_string(kMaxCand));
  };
  auto sort = [&](int) {
    size_t bytes = temp.size();
    if (n_cand > 1)
      CheckCuda(cub::DeviceMergeSort::SortKeys(temp.get(), bytes, cand_ptr, n_cand, ScoreGreater{}, st), "sort");
  };
  auto nms = [&](int) {
    if (n_cand > 0) {
      CheckCuda(aw::circleNMS_launch(cand, n_cand, DivUp(n_cand, kNmsBlock), c.circle_nms_dist_threshold_, mask, st),
                "circleNMS_launch");
    }
  };
  auto sweep = [&](int) {
    int64_t const cols = DivUp(n_cand, kNmsBlock);
    CheckCuda(cudaMemcpyAsync(mask_h, thrust::raw_pointer_cast(mask.data()), n_cand * cols * sizeof(std::uint64_t),
                              cudaMemcpyDeviceToHost, st),
              "mask D2H");
    CheckCuda(cudaStreamSynchronize(st), "mask sync");
    lean_kept = autoware_ref::SweepMask(mask_h, n_cand, cols, kNmsBlock);
  };

  // Counts of both paths against the CPU reference (a float tie or a last-bit expf difference at the threshold
  // could move one box; reported, not fatal).
  std::vector<std::function<void(int)>> const lean = {decode, select_count, sort, nms, sweep};
  auto run_lean = [&](int s, size_t steps) {
    for (size_t j = 0; j < steps; ++j) lean[j](s);
  };
  double cand_mean = 0.0, kept_mean = 0.0, lean_kept_mean = 0.0;
  for (int s = 0; s < kSets; ++s) {
    shipped(s);
    run_lean(s, lean.size());
    std::printf(
        "check %s set %d: candidates GPU %lld CPU %lld; kept as shipped %lld, lean %lld, CPU %lld%s\n", name, s,
        static_cast<long long>(n_cand), static_cast<long long>(ref[s].candidates), static_cast<long long>(shipped_kept),
        static_cast<long long>(lean_kept), static_cast<long long>(ref[s].kept),
        n_cand == ref[s].candidates && shipped_kept == ref[s].kept && lean_kept == ref[s].kept ? "" : "  MISMATCH");
    cand_mean += n_cand / static_cast<double>(kSets);
    kept_mean += shipped_kept / static_cast<double>(kSets);
    lean_kept_mean += lean_kept / static_cast<double>(kSets);
  }

  std::string const cfg = std::string("autoware_480x480x5_") + name;
  double const head_bytes = (classes + 10) * plane * 4.0, box = sizeof(aw::Box3D);
  double const cols = DivUp(static_cast<int64_t>(cand_mean + 0.5), kNmsBlock);
  int const nc = static_cast<int>(cand_mean + 0.5), nk = static_cast<int>(kept_mean + 0.5);
  int const nl = static_cast<int>(lean_kept_mean + 0.5);
  auto add = [&](char const* stage, int count, Stat t, double bytes) {
    rows->push_back({cfg, stage, 0, count, t, bytes});
  };
  add("aw_whole_post_as_shipped", nk, Time(st, shipped), head_bytes);
  add("aw_post_kernels_lean", nc, Time(st, [&](int s) { run_lean(s, 4); }), head_bytes);  // up to the NMS kernel
  add("aw_post_lean_with_sweep", nl, Time(st, [&](int s) { run_lean(s, 5); }), head_bytes);
  std::vector<Stat> const t = TimeSteps(st, lean);
  add("aw_lean_decode", nc, t[0], head_bytes);
  add("aw_lean_select_count", nc, t[1], plane * box + cand_mean * box);
  add("aw_lean_sort", nc, t[2], 2.0 * cand_mean * box);
  add("aw_lean_nms_kernel", nl, t[3], cand_mean * box + cand_mean * cols * 8.0);
  add("aw_lean_mask_sweep", nl, t[4], cand_mean * cols * 8.0);
  cudaFreeHost(count_h);
  cudaFreeHost(mask_h);
}

}  // namespace awml::bench
