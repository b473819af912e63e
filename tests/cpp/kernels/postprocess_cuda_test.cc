// CUDA decode + circle NMS against the CPU references (bitwise) on random CenterPoint heads and named cases.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "tests/cpp/kernels/device_buffer.h"
#include "tests/cpp/kernels/head_fixtures.h"

namespace awml::kernels {
namespace {

using testing::DeviceBuffer;

// A GPU test (Bazel runs it as <name>_gpu only where a GPU is): no device is a failure, not a skip.
#define REQUIRE_GPU() ASSERT_GT(testing::CudaDeviceCount(), 0) << "no CUDA device: this is a GPU test"

struct DeviceHeads {
  explicit DeviceHeads(testing::HeadHost const& h) {
    heatmap.Upload(h.heatmap);
    reg.Upload(h.reg);
    height.Upload(h.height);
    dim.Upload(h.dim);
    rot.Upload(h.rot);
    vel.Upload(h.vel);
  }
  HeadTensors tensors(bool with_vel) const {
    return {heatmap.get(), reg.get(), height.get(), dim.get(), rot.get(), with_vel ? vel.get() : nullptr};
  }
  DeviceBuffer<float> heatmap, reg, height, dim, rot, vel;
};

void CheckHeads(DecodeConfig const& dc, CircleNmsConfig const& nc, testing::HeadHost const& h, bool with_vel,
                std::string const& label) {
  SCOPED_TRACE(label);
  std::vector<float> cpu_boxes(static_cast<size_t>(dc.top_k) * kBoxFields, 0.0f);
  std::vector<int32_t> cpu_counters(kNumDecodeCounters);
  ASSERT_TRUE(DecodeCpu(dc, h.tensors(with_vel), {cpu_boxes.data(), cpu_counters.data()}).ok());
  std::vector<float> cpu_kept(static_cast<size_t>(nc.max_output) * kBoxFields);
  int32_t cpu_num_kept = 0;
  ASSERT_TRUE(CircleNmsCpu(nc, cpu_boxes.data(), &cpu_counters[kNumBoxes], cpu_kept.data(), &cpu_num_kept).ok());

  DeviceHeads d(h);
  size_t dws = 0, nws = 0;
  ASSERT_TRUE(DecodeCudaWorkspaceBytes(dc, &dws).ok());
  ASSERT_TRUE(CircleNmsCudaWorkspaceBytes(nc, &nws).ok());
  DeviceBuffer<char> dw(dws), nw(nws);
  DeviceBuffer<float> boxes(cpu_boxes.size()), kept(cpu_kept.size());
  DeviceBuffer<int32_t> counters(kNumDecodeCounters), num_kept(1);
  boxes.Poison();
  kept.Poison();
  ASSERT_TRUE(DecodeCuda(dc, d.tensors(with_vel), {boxes.get(), counters.get()}, dw.get(), dws, nullptr).ok());
  ASSERT_TRUE(
      CircleNmsCuda(nc, boxes.get(), counters.get() + kNumBoxes, kept.get(), num_kept.get(), nw.get(), nws, nullptr)
          .ok());
  CircleNmsConfig lists = nc;  // the same boxes the other way (suppressor lists)
  lists.suppressor_lists = !nc.suppressor_lists;
  DeviceBuffer<float> kept_lists(cpu_kept.size());
  DeviceBuffer<int32_t> num_kept_lists(1);
  kept_lists.Poison();
  ASSERT_TRUE(CircleNmsCuda(lists, boxes.get(), counters.get() + kNumBoxes, kept_lists.get(), num_kept_lists.get(),
                            nw.get(), nws, nullptr)
                  .ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  std::vector<int32_t> const got_counters = counters.Download(kNumDecodeCounters);
  if (cpu_counters[kCandidatesDropped] > 0) {  // which candidates survive an overflow is unspecified on the GPU
    ASSERT_EQ(got_counters, cpu_counters);
    return;
  }
  ASSERT_EQ(got_counters, cpu_counters);
  size_t const nb = static_cast<size_t>(cpu_counters[kNumBoxes]) * kBoxFields;
  ASSERT_EQ(std::memcmp(boxes.Download(nb).data(), cpu_boxes.data(), nb * sizeof(float)), 0);
  ASSERT_EQ(num_kept.Download(1)[0], cpu_num_kept);
  size_t const nk = static_cast<size_t>(cpu_num_kept) * kBoxFields;
  ASSERT_EQ(std::memcmp(kept.Download(nk).data(), cpu_kept.data(), nk * sizeof(float)), 0);
  ASSERT_EQ(num_kept_lists.Download(1)[0], cpu_num_kept) << "suppressor lists";
  ASSERT_EQ(std::memcmp(kept_lists.Download(nk).data(), cpu_kept.data(), nk * sizeof(float)), 0) << "suppressor lists";
}

DecodeConfig AutowareDecode() {
  DecodeConfig c;
  c.score_thresholds.fill(0.35f);
  c.yaw_norm_thresholds = {0.3f, 0.3f, 0.3f, 0.3f, 0.0f};
  return c;
}

TEST(PostprocessCuda, RandomHeadsEqualCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(17);
  char const* env = std::getenv("AWML_CUDA_TEST_HEADS");
  int const sets = env ? std::max(1, std::atoi(env)) : 200;
  for (int i = 0; i < sets; ++i) {
    DecodeConfig dc = AutowareDecode();
    CircleNmsConfig nc;
    if (i % 2) {  // mmdet3d flavour: top-k over (class, cell), inclusive radius, per class, smaller grid
      dc.mode = DecodeMode::kTopK;
      dc.grid_x = dc.grid_y = 128;
      dc.out_size_factor = 4;
      dc.top_k = 500;
      dc.score_thresholds.fill(0.1f);
      dc.yaw_norm_thresholds.fill(0.0f);
      dc.use_center_range = i % 4 == 1;
      dc.center_range = {-61.2f, -61.2f, -10.0f, 61.2f, 61.2f, 10.0f};
      nc.inclusive = true;
      nc.squared_radius = 4.0f;
      nc.per_class = i % 3 == 0;
      nc.max_output = 83;
    }
    nc.max_boxes = dc.top_k;
    nc.input_sorted = i % 4 == 2;  // decode output is already in rank order
    int const objects = (i % 3 == 2) ? 180 : 45;
    testing::HeadHost const h = testing::RandomHeads(&rng, dc.num_classes, dc.grid_y, dc.grid_x, objects);
    CheckHeads(dc, nc, h, i % 5 != 0, "heads " + std::to_string(i));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(PostprocessCuda, NamedCasesEqualCpu) {
  REQUIRE_GPU();
  DecodeConfig dc = AutowareDecode();
  dc.grid_x = dc.grid_y = 32;
  CircleNmsConfig nc;
  testing::HeadHost quiet(5, 32, 32);
  for (float& v : quiet.heatmap) v = -10.0f;
  CheckHeads(dc, nc, quiet, true, "no boxes");
  testing::HeadHost one = quiet;
  one.heatmap[3 * one.plane + 77] = 2.0f;
  one.rot[one.plane + 77] = 1.0f;
  CheckHeads(dc, nc, one, true, "one box");
  testing::HeadHost crowd = quiet;  // all cells pass: more candidates than capacity
  for (int i = 0; i < crowd.plane; ++i) {
    crowd.heatmap[i] = 1.0f + 0.001f * i;
    crowd.rot[crowd.plane + i] = 1.0f;
  }
  dc.max_candidates = dc.top_k = 100;
  nc.max_boxes = 100;
  CheckHeads(dc, nc, crowd, true, "candidate overflow");
  dc.max_candidates = dc.top_k = 4096;
  nc.max_boxes = 4096;
  nc.max_output = 10;
  CheckHeads(dc, nc, crowd, true, "all cells, max_output 10");
  testing::HeadHost ties = quiet;  // equal scores everywhere: order falls back to the flat index
  for (int i = 0; i < ties.plane; i += 3) {
    ties.heatmap[i] = 1.5f;
    ties.rot[ties.plane + i] = 1.0f;
  }
  nc.max_output = 4096;
  CheckHeads(dc, nc, ties, true, "tied scores");
}

void ExpectOneNmsEqualsCpu(CircleNmsConfig const& nc, std::vector<float> const& boxes, int n) {
  std::vector<float> want(static_cast<size_t>(nc.max_output) * kBoxFields, -7.0f);
  int32_t want_n = -1;
  ASSERT_TRUE(CircleNmsCpu(nc, boxes.data(), &n, want.data(), &want_n).ok());
  DeviceBuffer<float> d_boxes, d_kept(want.size());
  DeviceBuffer<int32_t> d_n, d_kept_n(1);
  d_boxes.Upload(boxes);
  d_n.Upload(std::vector<int32_t>{n});
  d_kept.Poison();
  size_t ws_bytes = 0;
  ASSERT_TRUE(CircleNmsCudaWorkspaceBytes(nc, &ws_bytes).ok());
  DeviceBuffer<char> ws(ws_bytes);
  ws.Poison();  // needs no initialisation
  ASSERT_TRUE(
      CircleNmsCuda(nc, d_boxes.get(), d_n.get(), d_kept.get(), d_kept_n.get(), ws.get(), ws_bytes, nullptr).ok());
  ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
  ASSERT_EQ(d_kept_n.Download(1)[0], want_n);
  size_t const nk = static_cast<size_t>(want_n) * kBoxFields;
  ASSERT_EQ(std::memcmp(d_kept.Download(nk).data(), want.data(), nk * sizeof(float)), 0);
}

// Runs CircleNmsCuda on `boxes` (n of them), with the mask sweep and with suppressor lists, and expects
// CircleNmsCpu's kept boxes, bit for bit.
void ExpectNmsEqualsCpu(CircleNmsConfig nc, std::vector<float> const& boxes, int n) {
  for (bool lists : {false, true}) {
    SCOPED_TRACE(lists ? "suppressor lists" : "mask sweep");
    nc.suppressor_lists = lists;
    ExpectOneNmsEqualsCpu(nc, boxes, n);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// The CUDA NMS with suppressor_lists and its three ways to a result, each forced by the layout (circle_nms.cu): lists
// resolved in parallel rounds (sparse boxes), a chain longer than the rounds (boxes 0.4 m apart on a line in rank order
// with a 0.5 m radius: rank i has exactly one suppressor, i - 1, and waits for it, so the chain is n long and one warp
// finishes it), and the bit-mask sweep (a cluster inside 0.3 m: every rank past the 16th has more than 16
// suppressors), alone and next to sparse boxes. Kept counts are checked against the layout too.
TEST(PostprocessCuda, CircleNmsPathsEqualCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(23);
  for (bool sorted : {true, false}) {
    CircleNmsConfig nc;
    nc.max_boxes = 4096;
    nc.input_sorted = sorted;
    std::uniform_real_distribution<float> jitter(0.0f, 0.3f), far(100.0f, 140.0f);
    for (int n : {40, 1000, 4096}) {  // the chain: kept are ranks 0, 2, 4, ...
      SCOPED_TRACE("chain n " + std::to_string(n) + (sorted ? " sorted" : " unsorted"));
      std::vector<float> boxes(static_cast<size_t>(nc.max_boxes) * kBoxFields, 0.0f);
      std::vector<int> slot(n);
      for (int i = 0; i < n; ++i) slot[i] = i;
      if (!sorted) std::shuffle(slot.begin(), slot.end(), rng);
      for (int i = 0; i < n; ++i) {
        float* b = boxes.data() + static_cast<size_t>(slot[i]) * kBoxFields;
        b[kBoxX] = 0.4f * static_cast<float>(i);
        b[kBoxScore] = 1.0f - static_cast<float>(i) / (n + 1);
      }
      int keep_n = -1;
      std::vector<float> kept(static_cast<size_t>(nc.max_output) * kBoxFields);
      ASSERT_TRUE(CircleNmsCpu(nc, boxes.data(), &n, kept.data(), &keep_n).ok());
      ASSERT_EQ(keep_n, (n + 1) / 2);
      ExpectNmsEqualsCpu(nc, boxes, n);
      if (::testing::Test::HasFatalFailure()) return;
    }
    for (int sparse : {0, 900}) {  // the cluster, alone and with sparse boxes far from it
      SCOPED_TRACE("cluster, sparse " + std::to_string(sparse) + (sorted ? " sorted" : " unsorted"));
      int const cluster = 200, n = cluster + sparse;
      std::vector<float> boxes(static_cast<size_t>(nc.max_boxes) * kBoxFields, 0.0f);
      std::uniform_real_distribution<float> score(0.0f, 1.0f);
      for (int i = 0; i < n; ++i) {
        float* b = boxes.data() + static_cast<size_t>(i) * kBoxFields;
        bool const in_cluster = i % (n / cluster) == 0 && i / (n / cluster) < cluster;
        b[kBoxX] = in_cluster ? jitter(rng) : far(rng);
        b[kBoxY] = in_cluster ? jitter(rng) : far(rng);
        b[kBoxScore] = sorted ? 1.0f - static_cast<float>(i) / (n + 1) : score(rng);
      }
      ExpectNmsEqualsCpu(nc, boxes, n);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// Circle NMS alone on hand-built boxes: counts around the 64-rank steps and at full capacity, crowded centres
// (long suppression chains), NaN coordinates and labels, unsorted and sorted input, every flag.
TEST(PostprocessCuda, CircleNmsSizesEqualCpu) {
  REQUIRE_GPU();
  std::mt19937 rng(5);
  for (int n : {0, 1, 63, 64, 65, 127, 128, 129, 1000, 4096}) {
    for (int variant = 0; variant < 4; ++variant) {
      SCOPED_TRACE("n " + std::to_string(n) + " variant " + std::to_string(variant));
      CircleNmsConfig nc;
      nc.max_boxes = 4096;
      nc.input_sorted = variant & 1;
      nc.inclusive = variant & 2;
      nc.per_class = variant == 3;
      nc.squared_radius = 0.25f;
      nc.max_output = variant == 2 ? 50 : 4096;
      std::vector<float> boxes(static_cast<size_t>(nc.max_boxes) * kBoxFields, 0.0f);
      std::uniform_real_distribution<float> pos(0.0f, n > 200 ? 12.0f : 3.0f), score(0.0f, 1.0f);
      for (int i = 0; i < n; ++i) {
        float* b = boxes.data() + static_cast<size_t>(i) * kBoxFields;
        b[kBoxX] = pos(rng);
        b[kBoxY] = i % 7 == 0 ? b[kBoxX] : pos(rng);
        b[kBoxScore] = nc.input_sorted ? 1.0f - static_cast<float>(i) / (n + 1) : score(rng);
        b[kBoxLabel] = static_cast<float>(i % 3);
        if (i % 97 == 5) b[kBoxX] = NAN;
        if (i % 89 == 7) b[kBoxLabel] = NAN;
      }
      ExpectNmsEqualsCpu(nc, boxes, n);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace awml::kernels
