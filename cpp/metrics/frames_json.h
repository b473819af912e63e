// The metrics CLI's 3D FRAMES.json read straight into columns (no DOM, no Python objects): the native fast path
// of `python3 -m awml_deploy.metrics --task detection3d`.
//
// Conservative by design: a document is accepted only when python/awml_deploy/metrics/jsonio.py `loads` plus
// schema.py `parse_boxes_3d` would accept it too, and then every value is the one that path gives, to the bit.
// Anything else (malformed JSON, a missing or mistyped field, a duplicate of a used key, a number that
// overflows or underflows, ...) is refused with a one-line reason; the caller then runs the Python path, which
// words the proper error. Accepted subset:
//   - root: {"frames": [...], ...} (other root keys skipped) or the frame list itself;
//   - frame: {"frame_index": int, "timestamp_us": int, "gt": [...], "pred": [...], ...}, frame_index unique;
//   - object: {"label": str, "center": [3 numbers], "size": [3 numbers >= 0], "yaw": number,
//              "score": number (predictions only), ...};
//   - integer tokens become the float64 of the integer (so -0 gives +0.0), other tokens the correctly rounded
//     double of their text (so -0.0 keeps its sign).
#ifndef AWML_CPP_METRICS_FRAMES_JSON_H_
#define AWML_CPP_METRICS_FRAMES_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace awml::metrics {

// One row per object, all frames, frame-major, input order within a frame.
struct BoxColumns {
  std::vector<int64_t> frame;  // position of the frame in the list (0..n-1), NOT frame_index
  std::vector<int64_t> label;  // index into `labels`, or -1 for any other label string
  std::vector<double> center;  // 3 per row (x, y, z)
  std::vector<double> size;    // 3 per row (l, w, h)
  std::vector<double> yaw;     // 1 per row
  std::vector<double> score;   // 1 per row for predictions; EMPTY for ground truth
};

struct Frames3D {
  BoxColumns gt, pred;
  int64_t num_frames = 0;
};

// True and `out` filled when `json` (the file's bytes, UTF-8) is in the accepted subset; false and `*why` (one
// short line; `why` may be null) otherwise, `out` then unspecified. `labels` are UTF-8; repeated names (which
// SETTINGS.json forbids, and for which Python would pick the last index) are refused too. Works on a private
// copy of the bytes (RapidJSON in situ), freed before it returns.
[[nodiscard]] bool ReadFrames3DJson(std::string_view json, std::vector<std::string> const& labels, Frames3D* out,
                                    std::string* why);

// ReadFrames3DJson of the file at `path`, read straight into the parse's own buffer (no second copy). A file
// that cannot be read is refused like any other document (the caller's Python path reports the error).
[[nodiscard]] bool ReadFrames3DJsonFile(std::string const& path, std::vector<std::string> const& labels, Frames3D* out,
                                        std::string* why);

}  // namespace awml::metrics

#endif  // AWML_CPP_METRICS_FRAMES_JSON_H_
