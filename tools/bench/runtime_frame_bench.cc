// Frame budget of awml::trt::CenterPointRuntime: per frame, what a ROS node does with the runtime — points in,
// voxelize + features, RunNetwork (pillar-count readback, the engines, scatter), head layout + decode + circle NMS,
// the boxes on the host — with both engines replaced by fixed outputs, so that only the runtime's own work is timed.
//
//   cloud "device":        Preprocess(device cloud) → RunNetwork → Postprocess → Download   (stages one by one)
//   cloud "host_pinned":   Detect(pinned host cloud)    = CopyPoints (H2D) + the stages above
//   cloud "host_pageable": Detect(std::vector cloud)    = the same from pageable memory
//   --device cpu:          Detect(host cloud) on the CPU runtime (runs without a GPU; the Bazel test uses it)
// That is frame "full" (Autoware's detect() without TensorRT is the same work). Frame "pre_post" leaves RunNetwork out
// (no pillar-count readback, no engines, no scatter): one host sync, as tools/bench/runtime_bench.py measured it.
//
// Engines: FixedEngine implementations of trt::Engine. The encoder leaves a fixed pillar-feature buffer, the head
// fixed synthetic head tensors (lidar_scene.h Heads(), 45 objects: "post-M"). Both copy their outputs into the
// bound buffers only when the bound address (or the requested head set) changes, i.e. in the first warm-up frame;
// in timed frames Run is a few pointer compares and makes no CUDA call (the JSON's engine_copies_timed proves it).
// Host wall (steady_clock) around each frame call, `--warmup` untimed then `--reps` timed frames, 4 clouds rotated;
// CUDA events between the stages of the device-cloud frame. Host synchronisations per frame are counted by a probe
// (SyncProbe, runtime_frame_engines.h) on separate frames. Before timing, every cloud set's CUDA boxes and counters
// must equal the CPU runtime's (head set s with cloud s; exit 1 otherwise). Usage: runtime_frame_bench [options]
// OUT.json (--help).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cpp/trt_runtime/centerpoint_runtime.h"
#include "tools/bench/bench_stats.h"
#include "tools/bench/lidar_scene.h"
#include "tools/bench/runtime_frame_engines.h"

#if AWML_BENCH_WITH_CUDA
#include <cuda_runtime_api.h>

#include "cpp/common/cuda_status.h"
#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"
#endif

namespace awml::bench {
namespace {

// ------------------------------------------------------------------------------------------------ measurements

uint64_t Digest(CenterPointDetections const& d) {  // FNV-1a 64 of the kept boxes' bytes
  uint64_t h = 1469598103934665603ull;
  for (auto const& box : d.boxes) {
    unsigned char const* p = reinterpret_cast<unsigned char const*>(box.data());
    for (std::size_t i = 0; i < sizeof(float) * box.size(); ++i) h = (h ^ p[i]) * 1099511628211ull;
  }
  return h;
}

struct Row {
  std::string grid, voxelize, cloud, frame, call;
  int64_t points = 0;
  double pillars = 0.0;
  std::size_t boxes = 0;
  bool boxes_consistent = true;
  uint64_t digest = 0;
  Stat wall, events, engine_run;  //!< engine_run: host time inside both engines' Run per frame
  std::map<std::string, Stat> stage_wall, stage_gpu;
  int64_t engine_copies_timed = 0;
  int syncs = -1;  //!< -1: not probed (CPU runtime)
  std::vector<std::string> blocking;
};

struct Options {
  std::string device = "cuda", out;
  int warmup = 20, reps = 200;
  std::vector<int64_t> points{30000, 120000, 300000};
  std::vector<std::string> grids{"autoware", "awml"}, voxelize{"deterministic", "fast"}, clouds;
  std::vector<std::string> frames{"full", "pre_post"};
};

// The clouds of one size: host vectors always; pinned and device copies on CUDA.
struct Clouds {
  std::vector<std::vector<float>> host;
#if AWML_BENCH_WITH_CUDA
  std::vector<trt::PinnedBuffer> pinned;
  std::vector<trt::DeviceBuffer> device;
#endif
  float const* Get(std::string const& cloud, int s) const {
#if AWML_BENCH_WITH_CUDA
    if (cloud == "host_pinned") return pinned[s].as<float>();
    if (cloud == "device") return device[s].as<float>();
#else
    (void)cloud;
#endif
    return host[s].data();
  }
};

#if AWML_BENCH_WITH_CUDA
Clouds MakeClouds(Grid const& g, int64_t n, bool cuda, cudaStream_t stream) {
#else
Clouds MakeClouds(Grid const& g, int64_t n, bool, void*) {
#endif
  Clouds c;
  int const f = g.config.voxelize.num_point_features;
  for (int s = 0; s < kSets; ++s) c.host.push_back(LidarCloud(100 + s, n, f, g.range));
#if AWML_BENCH_WITH_CUDA
  if (!cuda) return c;
  for (auto const& h : c.host) {
    std::size_t const bytes = h.size() * sizeof(float);
    c.pinned.push_back(Must(trt::PinnedBuffer::Allocate(bytes), "pinned cloud"));
    std::memcpy(c.pinned.back().data(), h.data(), bytes);
    c.device.push_back(Must(trt::DeviceBuffer::Allocate(bytes, stream), "device cloud"));
    Must(c.device.back().CopyFromHostAsync(h.data(), bytes, stream), "device cloud");
  }
  Must(CudaStatus(cudaStreamSynchronize(stream), "cloud upload"), "cloud upload");
#endif
  return c;
}

// Head set s with cloud s through both runtimes: counters equal, boxes equal (the runtime's CUDA == CPU contract,
// tests/cpp/trt_runtime/centerpoint_runtime_test.cc: equal or within 1e-4). Returns the boxes compared.
std::size_t CheckCudaEqualsCpu(Bench& cuda, Bench& cpu, Clouds const& clouds, int64_t n, std::string const& what) {
  std::size_t compared = 0;
  for (int s = 0; s < kSets; ++s) {
    cuda.UseSet(s);
    cpu.UseSet(s);
    CenterPointDetections const a = Must(cpu.runtime->Detect(clouds.host[s].data(), n), "cpu Detect");
    CenterPointDetections const b = Must(cuda.runtime->Detect(clouds.host[s].data(), n), "cuda Detect");
    std::ostringstream problem;
    if (a.boxes.empty()) problem << "the CPU runtime kept no box";
    if (a.candidates_dropped || b.candidates_dropped) problem << "candidates dropped (the contract needs none)";
    if (a.num_pillars != b.num_pillars || a.pillars_dropped != b.pillars_dropped ||
        a.points_out_of_range != b.points_out_of_range) {
      problem << "counters differ: pillars " << a.num_pillars << " vs " << b.num_pillars << ", dropped "
              << a.pillars_dropped << " vs " << b.pillars_dropped << ", out of range " << a.points_out_of_range
              << " vs " << b.points_out_of_range;
    }
    if (a.boxes.size() != b.boxes.size()) problem << a.boxes.size() << " CPU boxes vs " << b.boxes.size() << " CUDA";
    for (std::size_t i = 0; problem.str().empty() && i < a.boxes.size(); ++i) {
      for (int k = 0; k < kernels::kBoxFields; ++k) {
        float const x = a.boxes[i][k], y = b.boxes[i][k];
        if (x != y && !(std::abs(x - y) <= 1e-4f)) problem << "box " << i << " field " << k << ": " << x << " vs " << y;
      }
    }
    if (!problem.str().empty()) {
      std::fprintf(stderr, "runtime_frame_bench | CUDA boxes differ from CPU boxes (%s, set %d): %s\n", what.c_str(), s,
                   problem.str().c_str());
      std::exit(1);
    }
    compared += a.boxes.size();
  }
  cuda.UseSet(0);
  cpu.UseSet(0);
  return compared;
}

double Us(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::micro>(b - a).count(); }

// The frame of a row. "full": the whole frame with the replaced engines (device cloud: the stages one by one; host
// cloud: Detect). "pre_post": without RunNetwork (no pillar-count readback, engines or scatter; the heads of the last
// full frame stay in the buffers), as tools/bench/runtime_bench.py's time_pre_post. `mark(k)` after stage k.
template <typename Mark>
CenterPointDetections Frame(CenterPointRuntime& rt, std::string const& cloud, bool full, float const* points, int64_t n,
                            Mark const& mark) {
  if (cloud != "device") {
    if (full) return Must(rt.Detect(points, n), "Detect");
    Must(rt.CopyPoints(points, n), "CopyPoints");
    mark(0);
    points = rt.points_buffer();
  }
  Must(rt.Preprocess(points, n), "Preprocess");
  mark(1);
  if (full) Must(rt.RunNetwork(), "RunNetwork");
  mark(2);
  Must(rt.Postprocess(), "Postprocess");
  mark(3);
  CenterPointDetections d = Must(rt.Download(), "Download");
  mark(4);
  return d;
}

std::string CallName(std::string const& cloud, bool full) {
  if (cloud != "device") return full ? "Detect" : "CopyPoints+Preprocess+Postprocess+Download";
  return full ? "Preprocess+RunNetwork+Postprocess+Download" : "Preprocess+Postprocess+Download";
}

// The timed frames of one row: `warmup` untimed, then `reps` timed; head set 0 throughout (no engine copy timed).
Row TimeRow(Bench& b, Clouds const& clouds, int64_t n, std::string const& cloud, std::string const& frame,
            Options const& o, StreamHandle st) {
  Row r;
  r.cloud = cloud;
  r.frame = frame;
  r.points = n;
  bool const full = frame == "full";
  r.call = CallName(cloud, full);
  CenterPointRuntime& rt = *b.runtime;
  b.UseSet(0);
  if (!full) Must(rt.Detect(clouds.host[0].data(), n).status(), "Detect");  // head set 0 in the head buffers
  std::vector<double> wall, engine_run;
  std::map<std::string, std::vector<double>> stage_wall, stage_gpu;
  int64_t copies = 0;
  bool const stages = cloud == "device";
#if AWML_BENCH_WITH_CUDA
  bool const events = st != nullptr && stages;
  std::vector<trt::CudaEvent> ev;
  for (int i = 0; events && i < 4; ++i) ev.push_back(Must(trt::CudaEvent::Create(), "event"));
#else
  (void)st;
  bool const events = false;
#endif
  for (int i = 0; i < o.warmup + o.reps; ++i) {
    if (i == o.warmup) copies = b.copies();
    float const* points = clouds.Get(cloud, i % kSets);
    Clock::time_point t[5];
    double const run_before = b.run_us();
    t[0] = Clock::now();
#if AWML_BENCH_WITH_CUDA
    if (events) Must(ev[0].Record(static_cast<cudaStream_t>(st)), "event");
#endif
    CenterPointDetections const d = Frame(rt, cloud, full, points, n, [&](int k) {
      if (k == 0 || !stages) return;
      t[k] = Clock::now();
#if AWML_BENCH_WITH_CUDA
      if (events && k < 4) Must(ev[k].Record(static_cast<cudaStream_t>(st)), "event");
#endif
    });
    t[4] = Clock::now();
    if (i < o.warmup) continue;
    wall.push_back(Us(t[0], t[4]));
    engine_run.push_back(b.run_us() - run_before);
    if (stages) {
      char const* names[] = {"Preprocess", "RunNetwork", "Postprocess", "Download"};
      for (int k = 0; k < 4; ++k) {
        if (full || k != 1) stage_wall[names[k]].push_back(Us(t[k], t[k + 1]));
      }
    }
#if AWML_BENCH_WITH_CUDA
    if (events) {  // all complete: Download synchronised the stream after the last record
      char const* spans[] = {"total", "Preprocess", "RunNetwork_incl_readback_gap", "Postprocess_incl_copies"};
      int const from[] = {0, 0, 1, 2}, to[] = {3, 1, 2, 3};
      for (int k = 0; k < 4; ++k) {
        if (!full && k == 2) continue;
        stage_gpu[spans[k]].push_back(1000.0 * Must(ev[to[k]].ElapsedMsSince(ev[from[k]]), "event"));
      }
    }
#endif
    uint64_t const digest = Digest(d);
    if (i == o.warmup) {
      r.digest = digest;
      r.boxes = d.boxes.size();
    }
    r.boxes_consistent = r.boxes_consistent && digest == r.digest;
    r.pillars += d.num_pillars / static_cast<double>(o.reps);
  }
  r.engine_copies_timed = b.copies() - copies;
  r.wall = Summarize(wall);
  r.engine_run = Summarize(engine_run);
  for (auto const& [k, v] : stage_wall) r.stage_wall[k] = Summarize(v);
  for (auto const& [k, v] : stage_gpu) r.stage_gpu[k] = Summarize(v);
  if (stage_gpu.count("total")) r.events = r.stage_gpu["total"];
  return r;
}

// Host synchronisations of two untimed frames (for host clouds, Detect's calls one by one).
void ProbeRow(Bench& b, Clouds const& clouds, int64_t n, SyncProbe& probe, StreamHandle st, Row& r) {
  char const* segments[] = {"CopyPoints", "Preprocess", "RunNetwork after head Run", "Postprocess", "Download"};
  for (int s = 0; s < 2; ++s) {
    probe.Begin(st);
    CenterPointRuntime& rt = *b.runtime;
    float const* points = clouds.Get(r.cloud, s);
    if (r.cloud != "device") {  // Detect = CopyPoints + the stages; cut between them
      Must(rt.CopyPoints(points, n), "CopyPoints");
      probe.Cut(segments[0]);
      points = rt.points_buffer();
    }
    Frame(rt, "device", r.frame == "full", points, n, [&](int k) {
      if (k == 1 || k > 2 || r.frame == "full") probe.Cut(segments[k]);
    });
    std::vector<std::string> const blocked = probe.End();
    if (static_cast<int>(blocked.size()) > r.syncs) {
      r.syncs = static_cast<int>(blocked.size());
      r.blocking = blocked;
    }
  }
}

std::string Quote(std::string const& s) { return "\"" + s + "\""; }
std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}
std::string StatJson(Stat const& s) {
  return "{\"median_us\": " + Num(s.median_us) + ", \"p90_us\": " + Num(s.p90_us) + "}";
}
std::string StagesJson(std::map<std::string, Stat> const& stages) {
  if (stages.empty()) return "null";
  std::string j = "{";
  for (auto const& [k, v] : stages) j += (j.size() > 1 ? ", " : "") + Quote(k) + ": " + StatJson(v);
  return j + "}";
}

std::string RowJson(Row const& r) {
  char digest[20];
  std::snprintf(digest, sizeof(digest), "%016llx", static_cast<unsigned long long>(r.digest));
  std::string blocking = "[";
  for (std::size_t i = 0; i < r.blocking.size(); ++i) blocking += (i ? ", " : "") + Quote(r.blocking[i]);
  blocking += "]";
  bool const ev = r.stage_gpu.count("total") > 0;
  return "    {\"grid\": " + Quote(r.grid) + ", \"voxelize\": " + Quote(r.voxelize) +
         ", \"points\": " + std::to_string(r.points) + ", \"cloud\": " + Quote(r.cloud) +
         ", \"frame\": " + Quote(r.frame) + ", \"call\": " + Quote(r.call) + ", \"pillars_mean\": " + Num(r.pillars) +
         ", \"boxes\": " + std::to_string(r.boxes) + ", \"boxes_fnv1a64\": " + Quote(digest) +
         ", \"boxes_consistent\": " + (r.boxes_consistent ? "true" : "false") +
         ", \"host_wall_median_us\": " + Num(r.wall.median_us) + ", \"host_wall_p90_us\": " + Num(r.wall.p90_us) +
         ", \"gpu_events_median_us\": " + (ev ? Num(r.events.median_us) : "null") +
         ", \"gpu_events_p90_us\": " + (ev ? Num(r.events.p90_us) : "null") +
         ", \"stage_host_wall\": " + StagesJson(r.stage_wall) + ", \"stage_gpu_events\": " + StagesJson(r.stage_gpu) +
         ", \"engine_copies_timed\": " + std::to_string(r.engine_copies_timed) +
         ", \"engine_run_host_us\": " + StatJson(r.engine_run) +
         ", \"host_syncs_per_frame\": " + (r.syncs < 0 ? "null" : std::to_string(r.syncs)) +
         ", \"blocking_segments\": " + (r.syncs < 0 ? "null" : blocking) + "}";
}

std::string Header(Options const& o) {
  std::string gpu = "null", sm = "null", driver = "null", runtime = "null";
#if AWML_BENCH_WITH_CUDA
  if (o.device == "cuda") {
    int dev = 0, d = 0, r = 0;
    cudaDeviceProp prop{};
    Must(CudaStatus(cudaGetDevice(&dev), "device"), "device");
    Must(CudaStatus(cudaGetDeviceProperties(&prop, dev), "props"), "props");
    cudaDriverGetVersion(&d);
    cudaRuntimeGetVersion(&r);
    gpu = Quote(prop.name);
    sm = std::to_string(prop.multiProcessorCount);
    driver = std::to_string(d);
    runtime = std::to_string(r);
  }
#endif
  std::string const date = UtcNow();
  return "{\n  \"benchmark\": \"tools/bench/runtime_frame_bench.cc\",\n  \"device\": " + Quote(o.device) +
         ",\n  \"gpu\": " + gpu + ",\n  \"sm_count\": " + sm + ",\n  \"cuda_driver_api\": " + driver +
         ",\n  \"cuda_runtime\": " + runtime + ",\n  \"date_utc\": \"" + date +
         "\",\n  \"warmup\": " + std::to_string(o.warmup) + ",\n  \"reps\": " + std::to_string(o.reps) +
         ",\n  \"sets\": " + std::to_string(kSets) +
         ",\n  \"frames\": {\"full\": \"points in -> voxelize + features -> RunNetwork (pillar-count readback, "
         "replaced "
         "engines, scatter: the CUDA runtime rewrites the cells this or the previous frame held, the CPU one clears "
         "the canvas) -> head layout + decode + circle NMS -> boxes on the host\", "
         "\"pre_post\": \"the same without RunNetwork (the heads of a full frame stay in the buffers)\"}"
         ",\n  \"engines\": \"replaced: fixed pillar features and fixed Heads() tensors (45 objects), copied into the "
         "bound buffers in the first warm-up frame only; a timed Run makes no CUDA call (engine_copies_timed) and "
         "costs engine_run_host_us of host time per frame (both engines)\""
         ",\n  \"target\": {\"grid\": \"autoware_480x480_0.32m\", \"points\": 120000, \"host_wall_median_us\": 150}"
         ",\n  \"syncs_expected\": \"full: 2 per frame, the pillar-count readback in RunNetwork (before the encoder) "
         "and Download's wait for the boxes; pre_post: 1 (Download); any other blocking segment is a finding\"";
}

std::vector<std::string> Split(std::string const& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

void CheckChoices(std::string const& flag, std::vector<std::string> const& got, std::vector<std::string> const& ok) {
  std::string allowed;
  for (auto const& a : ok) allowed += (allowed.empty() ? "" : ", ") + a;
  if (got.empty()) BadInput(flag + " is empty", "a comma list of " + allowed, "nothing");
  for (auto const& g : got) {
    if (std::find(ok.begin(), ok.end(), g) == ok.end()) BadInput("unknown " + flag + " value", allowed, g);
  }
}

int ParseInt(std::string const& flag, std::string const& value, int64_t lo, int64_t hi) {
  char* end = nullptr;
  long long const v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || v < lo || v > hi) {
    BadInput(flag + " out of range", "an integer in " + std::to_string(lo) + ".." + std::to_string(hi), value);
  }
  return static_cast<int>(v);
}

Options Parse(int argc, char** argv) {
  Options o;
  bool clouds_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string const a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf(
          "runtime_frame_bench [--device cuda|cpu] [--warmup N] [--reps N] [--points 30000,120000,300000]\n"
          "    [--grids autoware,awml] [--voxelize deterministic,fast] [--clouds device,host_pinned,host_pageable]\n"
          "    [--frames full,pre_post] OUT.json   (--device cpu: --clouds host)\n");
      std::exit(0);
    }
    if (a.rfind("--", 0) == 0) {
      if (i + 1 >= argc) BadInput(a + " needs a value", a + " VALUE", "nothing");
      std::string const v = argv[++i];
      if (a == "--device") {
        o.device = v;
        CheckChoices(a, {v}, {"cuda", "cpu"});
      } else if (a == "--warmup") {
        o.warmup = ParseInt(a, v, 0, 100000);
      } else if (a == "--reps") {
        o.reps = ParseInt(a, v, 1, 1000000);
      } else if (a == "--points") {
        o.points.clear();
        for (auto const& p : Split(v)) o.points.push_back(ParseInt(a, p, 1, 2000000));
        if (o.points.empty()) BadInput("--points is empty", "a comma list of point counts", "nothing");
      } else if (a == "--grids") {
        CheckChoices(a, o.grids = Split(v), {"autoware", "awml"});
      } else if (a == "--voxelize") {
        CheckChoices(a, o.voxelize = Split(v), {"deterministic", "fast"});
      } else if (a == "--frames") {
        CheckChoices(a, o.frames = Split(v), {"full", "pre_post"});
      } else if (a == "--clouds") {
        o.clouds = Split(v);
        clouds_given = true;
      } else {
        BadInput("unknown option",
                 "--device, --warmup, --reps, --points, --grids, --voxelize, --clouds, --frames, --help", a);
      }
    } else {
      if (!o.out.empty()) BadInput("more than one output path", "one OUT.json", a);
      o.out = a;
    }
  }
  bool const cuda = o.device == "cuda";
  if (!clouds_given)
    o.clouds =
        cuda ? std::vector<std::string>{"device", "host_pinned", "host_pageable"} : std::vector<std::string>{"host"};
  CheckChoices(
      "--clouds", o.clouds,
      cuda ? std::vector<std::string>{"device", "host_pinned", "host_pageable"} : std::vector<std::string>{"host"});
  if (o.out.empty()) BadInput("no output path", "OUT.json as the last argument", "none");
  std::filesystem::path const parent = std::filesystem::absolute(o.out).parent_path();
  if (!std::filesystem::is_directory(parent))
    BadInput("the output's folder does not exist", "an existing folder", parent);
  return o;
}

}  // namespace
}  // namespace awml::bench

int main(int argc, char** argv) {
  using namespace awml::bench;
  namespace trt = awml::trt;
  Options const o = Parse(argc, argv);
  bool const cuda = o.device == "cuda";
  awml::StreamHandle stream = nullptr;
#if AWML_BENCH_WITH_CUDA
  std::unique_ptr<trt::CudaStream> owned;
  if (cuda) {
    awml::StatusOr<int> const devices = trt::CudaDeviceCount();
    if (!devices.ok() || *devices == 0) BadInput("--device cuda needs a CUDA device", ">= 1 device", "none");
    owned = std::make_unique<trt::CudaStream>(Must(trt::CudaStream::Create(), "stream"));
    stream = reinterpret_cast<awml::StreamHandle>(owned->get());
  }
#else
  if (cuda) BadInput("--device cuda needs a build with CUDA", "a CUDA build (or --device cpu)", "a CPU-only build");
#endif
  SyncProbe probe;
  std::vector<Row> rows;
  std::size_t compared = 0;
  for (std::string const& name : o.grids) {
    Grid const g = MakeGrid(name);
    for (std::string const& mode_name : o.voxelize) {
      auto const mode =
          mode_name == "fast" ? awml::kernels::VoxelizeMode::kFast : awml::kernels::VoxelizeMode::kDeterministic;
      Bench cpu = MakeBench(g, mode, trt::RuntimeDevice::kCpu, nullptr, &probe);
      Bench dev;
      if (cuda) dev = MakeBench(g, mode, trt::RuntimeDevice::kCuda, stream, &probe);
      Bench& timed = cuda ? dev : cpu;
      for (int64_t n : o.points) {
        Clouds const clouds = MakeClouds(g, n, cuda, static_cast<decltype(stream)>(stream));
        if (cuda) compared += CheckCudaEqualsCpu(dev, cpu, clouds, n, g.name + " " + mode_name);
        for (std::string const& cloud : o.clouds) {
          for (std::string const& frame : o.frames) {
            Row r = TimeRow(timed, clouds, n, cloud, frame, o, stream);
            r.grid = g.name;
            r.voxelize = mode_name;
            if (cuda) ProbeRow(timed, clouds, n, probe, stream, r);
            rows.push_back(r);
          }
        }
      }
    }
  }
  std::printf("%-22s %-13s %7s %-13s %-8s %8s %5s %10s %10s %10s %5s\n", "grid", "voxelize", "points", "cloud", "frame",
              "pillars", "boxes", "wall_med", "wall_p90", "gpu_med", "syncs");
  for (Row const& r : rows) {
    std::printf("%-22s %-13s %7lld %-13s %-8s %8.0f %5zu %10.1f %10.1f %10s %5s\n", r.grid.c_str(), r.voxelize.c_str(),
                static_cast<long long>(r.points), r.cloud.c_str(), r.frame.c_str(), r.pillars, r.boxes,
                r.wall.median_us, r.wall.p90_us, r.stage_gpu.count("total") ? Num(r.events.median_us).c_str() : "-",
                r.syncs < 0 ? "-" : std::to_string(r.syncs).c_str());
  }
  std::map<std::string, std::map<std::string, int>> segments;  // per cloud + frame: each blocking list, its rows
  for (Row const& r : rows) {
    std::string list;
    for (std::string const& b : r.blocking) list += (list.empty() ? "" : "; ") + b;
    if (r.syncs >= 0) ++segments[r.cloud + " " + r.frame]["[" + list + "]"];
  }
  for (auto const& [kind, lists] : segments) {
    std::string text;
    for (auto const& [list, count] : lists) text += (text.empty() ? "" : ", ") + list + " x" + std::to_string(count);
    std::printf("host syncs, %s: %s\n", kind.c_str(), text.c_str());
  }
  std::string json = Header(o) + ",\n  \"check\": ";
  json += cuda ? "{\"cuda_equals_cpu\": true, \"frames_compared\": " +
                     std::to_string(o.grids.size() * o.voxelize.size() * o.points.size() * kSets) +
                     ", \"boxes_compared\": " + std::to_string(compared) + "}"
               : "null";
  json += ",\n  \"rows\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) json += RowJson(rows[i]) + (i + 1 < rows.size() ? ",\n" : "\n");
  json += "  ]\n}\n";
  std::string const tmp = o.out + ".tmp";
  {
    std::ofstream out(tmp);
    out << json;
    if (!out.good()) Must(awml::InternalError("cannot write " + tmp), "write");
  }
  std::filesystem::rename(tmp, o.out);
  std::printf("wrote %s (%zu rows)%s\n", o.out.c_str(), rows.size(),
              cuda ? (", CUDA == CPU on " + std::to_string(compared) + " boxes").c_str() : "");
  return 0;
}
