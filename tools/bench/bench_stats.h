// Median / p90 of timed repetitions and the UTC time stamp of a run, shared by every benchmark binary
// (kernels_bench, autoware_bench through bench_timing.h, runtime_frame_bench). CUDA-free.
#ifndef AWML_TOOLS_BENCH_BENCH_STATS_H_
#define AWML_TOOLS_BENCH_BENCH_STATS_H_

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

namespace awml::bench {

struct Stat {
  double median_us = 0.0, p90_us = 0.0;
};

//! Median (element n / 2 of the sorted times) and p90 (element 9n / 10); zeros for no times.
inline Stat Summarize(std::vector<double> t) {
  if (t.empty()) return {};
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t[t.size() * 9 / 10]};
}

//! Now, as "YYYY-MM-DDTHH:MM:SSZ".
inline std::string UtcNow() {
  char date[64];
  std::time_t const now = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return date;
}

}  // namespace awml::bench

#endif  // AWML_TOOLS_BENCH_BENCH_STATS_H_
