// Timing, rows and JSON shared by the benchmarks (kernels_bench, autoware_bench): CUDA events, 20 warm-ups, median and
// p90 of 200 timed runs, 4 input sets rotated every iteration, and one JSON text format (summarize_kernels.py and
// summarize_side_by_side.py check files against it byte for byte).
#ifndef AWML_TOOLS_BENCH_BENCH_TIMING_H_
#define AWML_TOOLS_BENCH_BENCH_TIMING_H_

#include <cuda_runtime.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "tests/cpp/kernels/device_buffer.h"
#include "tools/bench/bench_stats.h"

namespace awml::bench {

using kernels::testing::CheckCuda;
using kernels::testing::DeviceBuffer;

constexpr int kWarmup = 20;
constexpr int kReps = 200;
constexpr int kSets = 4;  // inputs rotated every iteration

struct Row {
  std::string config, stage;
  int64_t points = 0;
  int pillars = 0;  // pre: pillars; post: candidates or kept boxes, whichever the stage outputs
  Stat t{};
  double bytes = 0.0;
};

// An event after every operation of `steps`, run in order once per rep (set i % kSets); one Stat per step.
inline std::vector<Stat> TimeSteps(cudaStream_t st, std::vector<std::function<void(int)>> const& steps) {
  size_t const k = steps.size();
  std::vector<cudaEvent_t> ev(k + 1);
  for (auto& e : ev) CheckCuda(cudaEventCreate(&e), "event");
  for (int i = 0; i < kWarmup; ++i) {
    for (auto const& f : steps) f(i % kSets);
  }
  CheckCuda(cudaStreamSynchronize(st), "warm-up");
  std::vector<std::vector<double>> t(k);
  for (int i = 0; i < kReps; ++i) {
    CheckCuda(cudaEventRecord(ev[0], st), "record");
    for (size_t j = 0; j < k; ++j) {
      steps[j](i % kSets);
      CheckCuda(cudaEventRecord(ev[j + 1], st), "record");
    }
    CheckCuda(cudaEventSynchronize(ev[k]), "sync");
    for (size_t j = 0; j < k; ++j) {
      float ms = 0.0f;
      CheckCuda(cudaEventElapsedTime(&ms, ev[j], ev[j + 1]), "elapsed");
      t[j].push_back(ms * 1000.0);
    }
  }
  CheckCuda(cudaGetLastError(), "timed work");
  for (auto& e : ev) cudaEventDestroy(e);
  std::vector<Stat> out;
  for (auto& v : t) out.push_back(Summarize(v));
  return out;
}

// Events around the whole sequence only (no events in between), as kernels_bench's Time().
inline Stat Time(cudaStream_t st, std::function<void(int)> const& fn) {
  cudaEvent_t a, b;
  CheckCuda(cudaEventCreate(&a), "event");
  CheckCuda(cudaEventCreate(&b), "event");
  for (int i = 0; i < kWarmup; ++i) fn(i % kSets);
  std::vector<double> t;
  for (int i = 0; i < kReps; ++i) {
    CheckCuda(cudaEventRecord(a, st), "record");
    fn(i % kSets);
    CheckCuda(cudaEventRecord(b, st), "record");
    CheckCuda(cudaEventSynchronize(b), "sync");
    float ms = 0.0f;
    CheckCuda(cudaEventElapsedTime(&ms, a, b), "elapsed");
    t.push_back(ms * 1000.0);
  }
  CheckCuda(cudaGetLastError(), "timed work");
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return Summarize(t);
}

// `fn(s)` captured once per input set as a CUDA graph, then timed as Time() times it, one graph launch per rep.
inline Stat TimeGraphs(cudaStream_t st, std::function<void(int)> const& fn) {
  std::vector<cudaGraphExec_t> graphs(kSets);
  for (int s = 0; s < kSets; ++s) {
    cudaGraph_t graph;
    CheckCuda(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal), "capture");
    fn(s);
    CheckCuda(cudaStreamEndCapture(st, &graph), "capture end");
    CheckCuda(cudaGraphInstantiate(&graphs[s], graph, 0), "instantiate");
    cudaGraphDestroy(graph);
  }
  Stat const t = Time(st, [&](int s) { CheckCuda(cudaGraphLaunch(graphs[s], st), "graph"); });
  for (auto& e : graphs) cudaGraphExecDestroy(e);
  return t;
}

inline double CopyBandwidth(cudaStream_t st) {  // GB/s, bytes read + written
  size_t const bytes = size_t{1} << 30;
  DeviceBuffer<char> a(bytes), b(bytes);
  CheckCuda(cudaMemset(a.get(), 1, bytes), "memset");
  Stat const s =
      Time(st, [&](int) { CheckCuda(cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice, st), "copy"); });
  return 2.0 * bytes / (s.median_us * 1e-6) / 1e9;
}

// Byte for byte the text kernels_bench's Json() writes for the same values.
inline std::string Json(std::vector<Row> const& rows, double bw) {
  cudaDeviceProp prop{};
  CheckCuda(cudaGetDeviceProperties(&prop, 0), "props");
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  std::string const date = UtcNow();
  std::string j = "{\n  \"gpu\": \"" + std::string(prop.name) +
                  "\",\n  \"sm_count\": " + std::to_string(prop.multiProcessorCount) +
                  ",\n  \"cuda_driver_api\": " + std::to_string(driver) +
                  ",\n  \"cuda_runtime\": " + std::to_string(runtime) + ",\n  \"date_utc\": \"" + date +
                  "\",\n  \"warmup\": " + std::to_string(kWarmup) + ",\n  \"reps\": " + std::to_string(kReps) +
                  ",\n  \"d2d_copy_gbps\": " + std::to_string(bw) + ",\n  \"rows\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    Row const& r = rows[i];
    double const frac = r.bytes / (r.t.median_us * 1e-6) / (bw * 1e9);
    char buf[512];
    std::snprintf(buf, sizeof(buf),
                  "    {\"config\": \"%s\", \"stage\": \"%s\", \"points\": %lld, \"pillars\": %d, \"median_us\": %.2f, "
                  "\"p90_us\": %.2f, \"bytes\": %.0f, \"fraction_of_copy_bw\": %.3f}%s\n",
                  r.config.c_str(), r.stage.c_str(), static_cast<long long>(r.points), r.pillars, r.t.median_us,
                  r.t.p90_us, r.bytes, frac, i + 1 < rows.size() ? "," : "");
    j += buf;
  }
  return j + "  ]\n}\n";
}

inline void PrintTable(std::vector<Row> const& rows, double bw) {
  std::printf("%-32s %-34s %8s %8s %10s %10s %8s\n", "config", "stage", "points", "pillars", "median_us", "p90_us",
              "bw_frac");
  for (Row const& r : rows) {
    std::printf("%-32s %-34s %8lld %8d %10.2f %10.2f %8.3f\n", r.config.c_str(), r.stage.c_str(),
                static_cast<long long>(r.points), r.pillars, r.t.median_us, r.t.p90_us,
                r.bytes / (r.t.median_us * 1e-6) / (bw * 1e9));
  }
  std::printf("d2d copy bandwidth (read+write): %.0f GB/s\n", bw);
}

inline bool WriteJson(std::string const& path, std::vector<Row> const& rows, double bw) {
  std::string const json = Json(rows, bw);
  FILE* fp = std::fopen(path.c_str(), "w");
  if (!fp) {
    std::fprintf(stderr, "%s | cannot be written. Note: expected a writable path for the JSON\n", path.c_str());
    return false;
  }
  std::fputs(json.c_str(), fp);
  return std::fclose(fp) == 0;
}

}  // namespace awml::bench

#endif  // AWML_TOOLS_BENCH_BENCH_TIMING_H_
