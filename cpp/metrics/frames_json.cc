// One SAX pass of RapidJSON over the bytes (numbers as strings, UTF-8 validated): a small state machine keeps
// the open containers the schema names, skips every other value whole, and fills the columns as each object
// closes. Numbers are converted with std::from_chars (correctly rounded, as Python's float() and int -> float).
#include "cpp/metrics/frames_json.h"

#ifdef AWML_HAVE_RAPIDJSON

#include <sys/mman.h>
#include <sys/stat.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_set>
#include <utility>

#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"

namespace awml::metrics {
namespace {

// Open containers refused beyond this depth: Python's json recurses per container and fails at its recursion
// limit (~1000 minus the caller's stack); the schema itself needs 5.
constexpr int kMaxDepth = 100;

// NUL bytes after the in-situ copy: the end of the input, and room for the up to 3 bytes RapidJSON's UTF-8
// validation reads after a truncated multi-byte sequence before it reports the error.
constexpr size_t kPadding = 4;

// Bytes per object in the CLI's files (~200): the columns start with room for json.size() / this rows per side.
constexpr size_t kBytesPerRowGuess = 256;

// The containers the schema names (everything else is skipped, counted only by `skip_`).
enum class Ctx : uint8_t { kTop, kRoot, kFrames, kFrame, kSide, kBox, kVector };

// What the value after the last key of an object is.
enum class Slot : uint8_t { kSkip, kFrames, kFrameIndex, kTimestamp, kGt, kPred, kLabel, kCenter, kSize, kYaw, kScore };

// Keys of a frame and of an object, as bits of the seen masks.
constexpr unsigned kFrameIndexBit = 1, kTimestampBit = 2, kGtBit = 4, kPredBit = 8, kFrameKeys = 15;
constexpr unsigned kLabelBit = 1, kCenterBit = 2, kSizeBit = 4, kYawBit = 8, kScoreBit = 16;
constexpr unsigned kGtBoxKeys = kLabelBit | kCenterBit | kSizeBit | kYawBit, kPredBoxKeys = kGtBoxKeys | kScoreBit;
constexpr char const* kFrameKeyNames[] = {"frame_index", "timestamp_us", "gt", "pred"};
constexpr char const* kBoxKeyNames[] = {"label", "center", "size", "yaw", "score"};

template <size_t N>
bool Is(char const* s, size_t n, char const (&literal)[N]) {
  return n == N - 1 && std::memcmp(s, literal, N - 1) == 0;
}

// A JSON integer token (Python reads it as an int): no fraction, no exponent.
bool IsIntegerToken(char const* s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (s[i] == '.' || s[i] == 'e' || s[i] == 'E') return false;
  }
  return true;
}

// The float64 Python gives the token: float(text), or float(int(text)) for an integer token (int 0 is +0.0).
// False when it overflows or underflows (Python's inf fails parse_boxes_3d; its 0.0 is refused here).
bool ToDouble(char const* s, size_t n, double* value) {
  auto const [end, ec] = std::from_chars(s, s + n, *value);
  if (ec != std::errc() || end != s + n) return false;
  if (*value == 0.0 && IsIntegerToken(s, n)) *value = 0.0;
  return true;
}

// A lone surrogate escape ("\udc00") that RapidJSON wrote as ED A0..BF: not UTF-8, so no label can equal it in
// both encodings at once (Python compares str). Valid UTF-8 has only ED 80..9F.
bool HasSurrogate(char const* s, size_t n) {
  for (void const* at = std::memchr(s, 0xED, n); at != nullptr;) {
    size_t const i = static_cast<char const*>(at) - s;
    if (i + 1 < n && static_cast<unsigned char>(s[i + 1]) >= 0xA0) return true;
    at = std::memchr(s + i + 1, 0xED, n - i - 1);
  }
  return false;
}

class Frames3DHandler {
 public:
  Frames3DHandler(std::vector<std::string> const& labels, Frames3D* out) : labels_(labels), out_(out) {}

  std::string const& why() const { return why_; }

  // RapidJSON's SAX events (rapidjson::Handler); false stops the parse.
  bool Null() { return Scalar("null"); }
  bool Bool(bool) { return Scalar("a boolean"); }
  bool Int(int) { return Unexpected(); }  // numbers come as RawNumber (kParseNumbersAsStringsFlag)
  bool Uint(unsigned) { return Unexpected(); }
  bool Int64(int64_t) { return Unexpected(); }
  bool Uint64(uint64_t) { return Unexpected(); }
  bool Double(double) { return Unexpected(); }

  bool RawNumber(char const* s, rapidjson::SizeType n, bool) {
    if (skip_ > 0) return true;
    switch (Top()) {
      case Ctx::kVector: {
        if (vec_n_ == 3) return Fail(VectorPath(), "more than 3 numbers");
        double value;
        if (!ToDouble(s, n, &value)) return Fail(VectorPath(), "number out of float64 range");
        if (vec_is_size_ && value < 0) return Fail(VectorPath(), "negative size");
        (vec_is_size_ ? size_ : center_)[vec_n_++] = value;
        return true;
      }
      case Ctx::kBox:
        if (slot_ == Slot::kYaw || slot_ == Slot::kScore) {
          if (!ToDouble(s, n, slot_ == Slot::kYaw ? &yaw_ : &score_)) return Fail(ValuePath(), "out of float64 range");
          return true;
        }
        break;
      case Ctx::kFrame:
        if (slot_ == Slot::kFrameIndex || slot_ == Slot::kTimestamp) {
          if (!IsIntegerToken(s, n)) return Mistyped("a non-integer number");
          return slot_ == Slot::kTimestamp || AddFrameIndex(s, n);
        }
        break;
      default:
        break;
    }
    return Scalar("a number");
  }

  bool String(char const* s, rapidjson::SizeType n, bool) {
    if (skip_ > 0) return true;
    if (Top() != Ctx::kBox || slot_ != Slot::kLabel) return Scalar("a string");
    if (HasSurrogate(s, n)) return Fail(ValuePath(), "lone surrogate");
    label_ = -1;
    for (size_t i = 0; i < labels_.size(); ++i) {
      if (labels_[i].size() == n && std::memcmp(labels_[i].data(), s, n) == 0) {
        label_ = static_cast<int64_t>(i);
        break;
      }
    }
    return true;
  }

  bool StartObject() {
    if (skip_ > 0) return Nest();
    switch (Top()) {
      case Ctx::kTop:
        return Push(Ctx::kRoot);
      case Ctx::kFrames:
        ++frame_pos_;
        frame_seen_ = 0;
        return Push(Ctx::kFrame);
      case Ctx::kSide:
        ++box_pos_;
        box_seen_ = 0;
        return Push(Ctx::kBox);
      case Ctx::kVector:
        return Mistyped("an object");
      default:
        return slot_ == Slot::kSkip ? Nest() : Mistyped("an object");
    }
  }

  bool Key(char const* s, rapidjson::SizeType n, bool) {
    if (skip_ > 0) return true;
    slot_ = Slot::kSkip;
    switch (Top()) {
      case Ctx::kRoot:
        if (!Is(s, n, "frames")) return true;
        if (frames_seen_) return Fail("<root>.frames", "duplicate key");
        frames_seen_ = true;
        slot_ = Slot::kFrames;
        return true;
      case Ctx::kFrame:
        if (Is(s, n, "frame_index")) return Claim(&frame_seen_, kFrameIndexBit, Slot::kFrameIndex);
        if (Is(s, n, "timestamp_us")) return Claim(&frame_seen_, kTimestampBit, Slot::kTimestamp);
        if (Is(s, n, "gt")) return Claim(&frame_seen_, kGtBit, Slot::kGt);
        if (Is(s, n, "pred")) return Claim(&frame_seen_, kPredBit, Slot::kPred);
        return true;
      case Ctx::kBox:
        if (Is(s, n, "label")) return Claim(&box_seen_, kLabelBit, Slot::kLabel);
        if (Is(s, n, "center")) return Claim(&box_seen_, kCenterBit, Slot::kCenter);
        if (Is(s, n, "size")) return Claim(&box_seen_, kSizeBit, Slot::kSize);
        if (Is(s, n, "yaw")) return Claim(&box_seen_, kYawBit, Slot::kYaw);
        if (side_is_pred_ && Is(s, n, "score")) return Claim(&box_seen_, kScoreBit, Slot::kScore);
        return true;
      default:
        return Unexpected();
    }
  }

  bool EndObject(rapidjson::SizeType) {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    switch (Top()) {
      case Ctx::kRoot:
        if (!frames_seen_) return Fail("<root>.frames", "missing key");
        break;
      case Ctx::kFrame:
        if (frame_seen_ != kFrameKeys) return Fail(FramePath(), MissingKey(frame_seen_, kFrameKeyNames));
        break;
      case Ctx::kBox:
        if (box_seen_ != (side_is_pred_ ? kPredBoxKeys : kGtBoxKeys))
          return Fail(BoxPath(), MissingKey(box_seen_, kBoxKeyNames));
        AddBox();
        break;
      default:
        return Unexpected();
    }
    --depth_;
    return true;
  }

  bool StartArray() {
    if (skip_ > 0) return Nest();
    switch (Top()) {
      case Ctx::kTop:
        return Push(Ctx::kFrames);
      case Ctx::kRoot:
        if (slot_ == Slot::kFrames) return Push(Ctx::kFrames);
        break;
      case Ctx::kFrame:
        if (slot_ == Slot::kGt || slot_ == Slot::kPred) {
          side_is_pred_ = slot_ == Slot::kPred;
          box_pos_ = -1;
          return Push(Ctx::kSide);
        }
        break;
      case Ctx::kBox:
        if (slot_ == Slot::kCenter || slot_ == Slot::kSize) {
          vec_is_size_ = slot_ == Slot::kSize;
          vec_n_ = 0;
          return Push(Ctx::kVector);
        }
        break;
      default:
        return Mistyped("a list");
    }
    return slot_ == Slot::kSkip ? Nest() : Mistyped("a list");
  }

  bool EndArray(rapidjson::SizeType) {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    switch (Top()) {
      case Ctx::kFrames:
        out_->num_frames = frame_pos_ + 1;
        break;
      case Ctx::kSide:
        break;
      case Ctx::kVector:
        if (vec_n_ != 3) {
          return Fail(BoxPath() + (vec_is_size_ ? ".size" : ".center"), std::to_string(vec_n_) + " numbers, not 3");
        }
        break;
      default:
        return Unexpected();
    }
    --depth_;
    return true;
  }

 private:
  Ctx Top() const { return stack_[depth_]; }

  bool Push(Ctx ctx) {
    if (depth_ + skip_ >= kMaxDepth) return Fail("<document>", "nested too deep");
    stack_[++depth_] = ctx;
    return true;
  }

  // Opens a container inside a skipped value.
  bool Nest() {
    if (depth_ + skip_ >= kMaxDepth) return Fail("<document>", "nested too deep");
    ++skip_;
    return true;
  }

  // A null, boolean, number or string: fine where the value is skipped, else of the wrong type.
  bool Scalar(char const* got) {
    if (skip_ > 0) return true;
    Ctx const top = Top();
    bool const in_object = top == Ctx::kRoot || top == Ctx::kFrame || top == Ctx::kBox;
    return (in_object && slot_ == Slot::kSkip) || Mistyped(got);
  }

  bool Claim(unsigned* seen, unsigned bit, Slot slot) {
    slot_ = slot;
    if (*seen & bit) return Fail(ValuePath(), "duplicate key");
    *seen |= bit;
    return true;
  }

  // Unique frame_index: int64 values in one set, longer (canonical, "-0" fits int64) texts in another.
  bool AddFrameIndex(char const* s, size_t n) {
    int64_t value;
    auto const [end, ec] = std::from_chars(s, s + n, value);
    bool fresh;
    if (ec == std::errc() && end == s + n) {
      fresh = small_indices_.insert(value).second;
    } else if (ec == std::errc::result_out_of_range) {
      fresh = big_indices_.emplace(s, n).second;
    } else {
      return Unexpected();
    }
    return fresh || Fail(ValuePath(), "duplicate frame_index");
  }

  void AddBox() {
    BoxColumns& side = side_is_pred_ ? out_->pred : out_->gt;
    side.frame.push_back(frame_pos_);
    side.label.push_back(label_);
    side.center.insert(side.center.end(), center_, center_ + 3);
    side.size.insert(side.size.end(), size_, size_ + 3);
    side.yaw.push_back(yaw_);
    if (side_is_pred_) side.score.push_back(score_);
  }

  // ---- reasons (built only on refusal) ----

  template <size_t N>
  static std::string MissingKey(unsigned seen, char const* const (&names)[N]) {
    for (size_t i = 0; i < N; ++i) {
      if (!(seen & (1u << i))) return std::string("missing key \"") + names[i] + "\"";
    }
    return "missing key";
  }

  std::string FramePath() const { return "frames[" + std::to_string(frame_pos_) + "]"; }

  std::string BoxPath() const {
    return FramePath() + (side_is_pred_ ? ".pred[" : ".gt[") + std::to_string(box_pos_) + "]";
  }

  std::string VectorPath() const {
    return BoxPath() + (vec_is_size_ ? ".size[" : ".center[") + std::to_string(vec_n_) + "]";
  }

  // Where the value being read sits, as parse_boxes_3d names it.
  std::string ValuePath() const {
    static constexpr char const* kSlotNames[] = {"",      "frames", "frame_index", "timestamp_us", "gt",   "pred",
                                                 "label", "center", "size",        "yaw",          "score"};
    std::string const key = std::string(".") + kSlotNames[static_cast<int>(slot_)];
    switch (Top()) {
      case Ctx::kTop:
        return "<root>";
      case Ctx::kRoot:
        return "<root>" + key;
      case Ctx::kFrames:
        return "frames[" + std::to_string(frame_pos_ + 1) + "]";
      case Ctx::kFrame:
        return FramePath() + key;
      case Ctx::kSide:
        return FramePath() + (side_is_pred_ ? ".pred[" : ".gt[") + std::to_string(box_pos_ + 1) + "]";
      case Ctx::kBox:
        return BoxPath() + key;
      case Ctx::kVector:
        return VectorPath();
    }
    return "<document>";
  }

  bool Mistyped(char const* got) { return Fail(ValuePath(), std::string("wrong type (got ") + got + ")"); }

  bool Unexpected() { return Fail("<document>", "unexpected parser event"); }

  bool Fail(std::string const& subject, std::string const& problem) {
    why_ = subject + " | " + problem;
    return false;
  }

  std::vector<std::string> const& labels_;
  Frames3D* out_;
  std::string why_;

  Ctx stack_[8] = {Ctx::kTop};  // the schema's containers: never more than 6 open
  int depth_ = 0;               // index of the innermost one in stack_
  int skip_ = 0;                // open containers inside a skipped value
  Slot slot_ = Slot::kSkip;

  bool frames_seen_ = false;
  int64_t frame_pos_ = -1;
  unsigned frame_seen_ = 0;
  std::unordered_set<int64_t> small_indices_;
  std::unordered_set<std::string> big_indices_;

  bool side_is_pred_ = false;
  int64_t box_pos_ = -1;
  unsigned box_seen_ = 0;
  int64_t label_ = -1;
  double center_[3] = {};
  double size_[3] = {};
  double yaw_ = 0.0;
  double score_ = 0.0;
  bool vec_is_size_ = false;
  int vec_n_ = 0;
};

void Reserve(BoxColumns* side, size_t rows, bool with_score) {
  side->frame.reserve(rows);
  side->label.reserve(rows);
  side->center.reserve(3 * rows);
  side->size.reserve(3 * rows);
  side->yaw.reserve(rows);
  if (with_score) side->score.reserve(rows);
}

bool Refuse(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return false;
}

}  // namespace

namespace {

// An anonymous mapping for a file's bytes, backed by transparent huge pages where the kernel grants them on
// request (MADV_HUGEPAGE): a 17 MB file then takes a few page faults instead of ~4,000.
class HugeBuffer {
 public:
  explicit HugeBuffer(size_t size) : size_(size) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    data_ = static_cast<char*>(p);
#ifdef MADV_HUGEPAGE
    (void)madvise(data_, size_, MADV_HUGEPAGE);  // advice: where refused, ordinary pages
#endif
  }
  ~HugeBuffer() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  HugeBuffer(HugeBuffer const&) = delete;
  HugeBuffer& operator=(HugeBuffer const&) = delete;
  char* get() const { return data_; }

 private:
  size_t size_;
  char* data_ = nullptr;
};

// The parse itself, in situ: `buffer` holds the document's `size` bytes followed by kPadding NUL bytes, and is
// overwritten (strings decoded and numbers read in place, no copies to RapidJSON's stack).
bool ParseInSitu(char* buffer, size_t size, std::vector<std::string> const& labels, Frames3D* out, std::string* why) {
  *out = Frames3D();
  std::unordered_set<std::string_view> names(labels.begin(), labels.end());
  if (names.size() != labels.size()) return Refuse(why, "labels | duplicate names");  // Python: the last index
  size_t const rows = size / kBytesPerRowGuess;
  Reserve(&out->gt, rows, false);
  Reserve(&out->pred, rows, true);
  rapidjson::InsituStringStream stream(buffer);
  Frames3DHandler handler(labels, out);
  rapidjson::Reader reader;
  constexpr unsigned kFlags =
      rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult const result = reader.Parse<kFlags>(stream, handler);
  if (result.Code() == rapidjson::kParseErrorTermination) return Refuse(why, handler.why());
  if (result.IsError()) {
    return Refuse(why, "byte " + std::to_string(result.Offset()) + " | " + rapidjson::GetParseError_En(result.Code()));
  }
  // The stream reads a NUL byte as the end: the document must really end there.
  if (stream.Tell() != size) return Refuse(why, "byte " + std::to_string(stream.Tell()) + " | NUL byte");
  return true;
}

}  // namespace

bool ReadFrames3DJson(std::string_view json, std::vector<std::string> const& labels, Frames3D* out, std::string* why) {
  // The copy of the bytes costs less than the copies an in-situ parse saves.
  std::unique_ptr<char[]> buffer(new char[json.size() + kPadding]);
  std::memcpy(buffer.get(), json.data(), json.size());
  std::memset(buffer.get() + json.size(), 0, kPadding);
  return ParseInSitu(buffer.get(), json.size(), labels, out, why);
}

bool ReadFrames3DJsonFile(std::string const& path, std::vector<std::string> const& labels, Frames3D* out,
                          std::string* why) {
  *out = Frames3D();
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  struct stat info {};
  if (file == nullptr || fstat(fileno(file.get()), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Refuse(why, path + " | not a readable regular file");
  }
  size_t const size = static_cast<size_t>(info.st_size);
  HugeBuffer buffer(size + kPadding);
  if (buffer.get() == nullptr) return Refuse(why, path + " | out of memory");
  // One byte more than the size: a file that grew since is refused rather than read in part.
  if (std::fread(buffer.get(), 1, size, file.get()) != size || std::fgetc(file.get()) != EOF) {
    return Refuse(why, path + " | short or changing read");
  }
  std::memset(buffer.get() + size, 0, kPadding);
  return ParseInSitu(buffer.get(), size, labels, out, why);
}

}  // namespace awml::metrics

#else  // RapidJSON absent: the Python path reads every document.

namespace awml::metrics {

bool ReadFrames3DJson(std::string_view, std::vector<std::string> const&, Frames3D* out, std::string* why) {
  *out = Frames3D();
  if (why != nullptr) *why = "RapidJSON not built in";
  return false;
}

bool ReadFrames3DJsonFile(std::string const&, std::vector<std::string> const& labels, Frames3D* out, std::string* why) {
  return ReadFrames3DJson({}, labels, out, why);
}

}  // namespace awml::metrics

#endif  // AWML_HAVE_RAPIDJSON
