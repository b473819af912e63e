#include "cpp/metrics/frames_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace awml::metrics {
namespace {

std::vector<std::string> const kLabels = {"car", "truck", "bus", "bicycle", "pedestrian"};

// A one-frame document around one ground-truth object, one prediction or one frame.
std::string Gt(std::string const& object) {
  return R"({"frames": [{"frame_index": 0, "timestamp_us": 0, "gt": [)" + object + R"(], "pred": []}]})";
}
std::string Pred(std::string const& object) {
  return R"({"frames": [{"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": [)" + object + "]}]}";
}
std::string Frames(std::string const& frames) { return R"({"frames": [)" + frames + "]}"; }

constexpr char kBox[] = R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0.5})";
constexpr char kScored[] = R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0.5, "score": 0.9})";

::testing::AssertionResult Refuses(std::string const& doc, std::vector<std::string> const& labels = kLabels) {
  Frames3D out;
  std::string why;
  if (ReadFrames3DJson(doc, labels, &out, &why)) return ::testing::AssertionFailure() << "accepted: " << doc;
  if (why.empty() || why.find('\n') != std::string::npos) {
    return ::testing::AssertionFailure() << "reason not one line: '" << why << "'";
  }
  return ::testing::AssertionSuccess() << why;
}

Frames3D Read(std::string const& doc, std::vector<std::string> const& labels = kLabels) {
  Frames3D out;
  std::string why;
  EXPECT_TRUE(ReadFrames3DJson(doc, labels, &out, &why)) << why << "\n" << doc;
  return out;
}

std::string Refusal(std::string const& doc) {
  Frames3D out;
  std::string why;
  EXPECT_FALSE(ReadFrames3DJson(doc, kLabels, &out, &why)) << doc;
  return why;
}

// Every case needs RapidJSON; without it the one case below checks the fallback instead.
class FramesJsonTest : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef AWML_HAVE_RAPIDJSON
    GTEST_SKIP() << "RapidJSON not built in (tools/bootstrap.sh installs rapidjson-dev)";
#endif
  }
};

TEST(FramesJsonFallbackTest, WithoutRapidJsonEveryDocumentIsRefused) {
#ifdef AWML_HAVE_RAPIDJSON
  GTEST_SKIP() << "RapidJSON is built in";
#else
  Frames3D out;
  out.num_frames = 5;
  std::string why;
  EXPECT_FALSE(ReadFrames3DJson("[]", kLabels, &out, &why));
  EXPECT_EQ(why, "RapidJSON not built in");
  EXPECT_EQ(out.num_frames, 0);
#endif
}

TEST_F(FramesJsonTest, TwoFramesWithExtraKeysAtEveryLevel) {
  Frames3D const f = Read(R"({
    "version": 2, "settings": {"labels": ["car"], "nested": [[{"frames": 1}], null, true, -1.5e3, "x"]},
    "frames": [
      {"frame_index": 7, "extra": {"gt": [1, 2]}, "timestamp_us": 100,
       "gt": [
         {"label": "car", "center": [1.5, -2.25, 0.125], "size": [4, 2, 1.5], "yaw": 0.5, "id": "a",
          "score": "ignored on ground truth", "attributes": {"moving": [true, false, null]}},
         {"label": "pedestrian", "size": [0.5, 0.75, 1.75], "yaw": -3, "center": [10, 20, 30]}
       ],
       "pred": [
         {"score": 0.875, "label": "bus", "center": [0, 1, 2], "size": [12, 3, 3.5], "yaw": 1.25, "uuid": null}
       ]},
      {"frame_index": 3, "timestamp_us": 200, "pred": [], "gt": [],
       "notes": [{"label": 5, "center": "no"}]}
    ],
    "trailer": {}
  })");
  EXPECT_EQ(f.num_frames, 2);
  EXPECT_EQ(f.gt.frame, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(f.gt.label, (std::vector<int64_t>{0, 4}));
  EXPECT_EQ(f.gt.center, (std::vector<double>{1.5, -2.25, 0.125, 10, 20, 30}));
  EXPECT_EQ(f.gt.size, (std::vector<double>{4, 2, 1.5, 0.5, 0.75, 1.75}));
  EXPECT_EQ(f.gt.yaw, (std::vector<double>{0.5, -3}));
  EXPECT_TRUE(f.gt.score.empty());
  EXPECT_EQ(f.pred.frame, (std::vector<int64_t>{0}));
  EXPECT_EQ(f.pred.label, (std::vector<int64_t>{2}));
  EXPECT_EQ(f.pred.center, (std::vector<double>{0, 1, 2}));
  EXPECT_EQ(f.pred.size, (std::vector<double>{12, 3, 3.5}));
  EXPECT_EQ(f.pred.yaw, (std::vector<double>{1.25}));
  EXPECT_EQ(f.pred.score, (std::vector<double>{0.875}));
}

TEST_F(FramesJsonTest, RootArrayIsTheFrameList) {
  Frames3D const f = Read(R"([
    {"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []},
    {"frame_index": 1, "timestamp_us": 5, "gt": [{"label": "truck", "center": [1, 2, 3], "size": [4, 5, 6],
     "yaw": 0}], "pred": [{"label": "truck", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": 1}]}
  ])");
  EXPECT_EQ(f.num_frames, 2);
  EXPECT_EQ(f.gt.frame, (std::vector<int64_t>{1}));
  EXPECT_EQ(f.gt.label, (std::vector<int64_t>{1}));
  EXPECT_EQ(f.pred.frame, (std::vector<int64_t>{1}));
  EXPECT_EQ(f.pred.score, (std::vector<double>{1.0}));
}

TEST_F(FramesJsonTest, EmptyFrameListGivesNoFramesAndEmptyColumns) {
  for (std::string const doc : {R"({"frames": []})", "[]", " \n\t[ ]\r\n"}) {
    Frames3D const f = Read(doc);
    EXPECT_EQ(f.num_frames, 0) << doc;
    EXPECT_TRUE(f.gt.frame.empty() && f.gt.label.empty() && f.gt.center.empty() && f.gt.size.empty() &&
                f.gt.yaw.empty() && f.gt.score.empty());
    EXPECT_TRUE(f.pred.frame.empty() && f.pred.label.empty() && f.pred.center.empty() && f.pred.size.empty() &&
                f.pred.yaw.empty() && f.pred.score.empty());
  }
}

TEST_F(FramesJsonTest, FrameWithEmptySidesCountsAsAFrame) {
  Frames3D const f = Read(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []},
                                    {"frame_index": 1, "timestamp_us": 0, "gt": [], "pred": [)" +
                                 std::string(kScored) + "]}"));
  EXPECT_EQ(f.num_frames, 2);
  EXPECT_TRUE(f.gt.frame.empty());
  EXPECT_EQ(f.pred.frame, (std::vector<int64_t>{1}));  // the frame's position, not its frame_index
}

TEST_F(FramesJsonTest, EscapesAreDecodedBeforeComparing) {
  Frames3D const f = Read(Gt(R"({"l\u0061bel": "c\u0061r", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})"));
  EXPECT_EQ(f.gt.label, (std::vector<int64_t>{0}));
  EXPECT_EQ(Read(Gt(R"({"label": "bi\u0063y\u0063le", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")).gt.label,
            (std::vector<int64_t>{3}));
  EXPECT_EQ(Read(R"({"fr\u0061mes": [{"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []}]})").num_frames, 1);
}

TEST_F(FramesJsonTest, OtherLabelsGetMinusOne) {
  for (std::string const label : {"Car", "car ", "", "trailer", "car\\u0000", "\\u00e9t\\u00e9", "\xc3\xa9t\xc3\xa9"}) {
    std::string const doc = Gt(R"({"label": ")" + label + R"(", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})");
    EXPECT_EQ(Read(doc).gt.label, (std::vector<int64_t>{-1})) << doc;
  }
  // Labels are UTF-8: an escaped and a raw "é" are the same string.
  std::vector<std::string> const accented = {"\xc3\xa9t\xc3\xa9"};
  EXPECT_EQ(
      Read(Gt(R"({"label": "\u00e9t\u00e9", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})"), accented).gt.label,
      (std::vector<int64_t>{0}));
  EXPECT_EQ(Read(Gt(kBox), {}).gt.label, (std::vector<int64_t>{-1}));
}

TEST_F(FramesJsonTest, IntegerAndFloatTokensGivePythonsValues) {
  Frames3D const f =
      Read(Pred(R"({"label": "car", "center": [1, -0, 2.5e1], "size": [-0.0, 0E0, 1e-2], "yaw": -0.0, "score": -0})"));
  ASSERT_EQ(f.pred.center.size(), 3u);
  EXPECT_EQ(f.pred.center, (std::vector<double>{1.0, 0.0, 25.0}));
  EXPECT_FALSE(std::signbit(f.pred.center[1]));  // int -0 is int 0: +0.0
  EXPECT_TRUE(std::signbit(f.pred.size[0]));     // float -0.0 keeps its sign (and is a valid size)
  EXPECT_FALSE(std::signbit(f.pred.size[1]));
  EXPECT_EQ(f.pred.size[2], 0.01);
  EXPECT_EQ(f.pred.yaw[0], 0.0);
  EXPECT_TRUE(std::signbit(f.pred.yaw[0]));
  EXPECT_EQ(f.pred.score[0], 0.0);
  EXPECT_FALSE(std::signbit(f.pred.score[0]));
}

TEST_F(FramesJsonTest, NumbersAreCorrectlyRounded) {
  Frames3D const f = Read(Gt(
      R"({"label": "car", "center": [9007199254740993, 123456789012345678901234567890, -9007199254740995],
          "size": [0.1, 4.9e-324, 1.7976931348623157e308], "yaw": 2.2250738585072011e-308})"));
  // Ties to even, as Python's float(int): 2**53 + 1 -> 2**53, -(2**53 + 3) -> -(2**53 + 4).
  EXPECT_EQ(f.gt.center, (std::vector<double>{9007199254740992.0, 1.2345678901234568e29, -9007199254740996.0}));
  EXPECT_EQ(f.gt.size,
            (std::vector<double>{0.1, std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max()}));
  EXPECT_EQ(f.gt.yaw, (std::vector<double>{2.2250738585072009e-308}));
}

TEST_F(FramesJsonTest, BigIntegerFrameIndicesAreAccepted) {
  Frames3D const f = Read(Frames(R"(
    {"frame_index": 123456789012345678901234567890, "timestamp_us": -123456789012345678901234567890, "gt": [],
     "pred": []},
    {"frame_index": 123456789012345678901234567891, "timestamp_us": 0, "gt": [], "pred": []},
    {"frame_index": -123456789012345678901234567890, "timestamp_us": 0, "gt": [], "pred": []},
    {"frame_index": 9223372036854775807, "timestamp_us": 0, "gt": [], "pred": []},
    {"frame_index": 9223372036854775808, "timestamp_us": 0, "gt": [], "pred": []},
    {"frame_index": -9223372036854775808, "timestamp_us": 0, "gt": [], "pred": []},
    {"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []}
  )"));
  EXPECT_EQ(f.num_frames, 7);
}

TEST_F(FramesJsonTest, GroundTruthScoreIsIgnoredWhateverItHolds) {
  for (std::string const score : {R"("high")", "null", "[1, 2]", "{}", "-1e5"}) {
    std::string const doc = Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": )" +
                               score + ", \"score\": 1}");
    Frames3D const f = Read(doc);
    EXPECT_EQ(f.gt.yaw.size(), 1u) << doc;
    EXPECT_TRUE(f.gt.score.empty()) << doc;
  }
}

TEST_F(FramesJsonTest, RefusesRootsThatAreNotAFrameDocument) {
  EXPECT_TRUE(Refuses(R"({})"));
  EXPECT_TRUE(Refuses(R"({"settings": {"frames": []}})"));
  EXPECT_TRUE(Refuses(R"({"frames": {}})"));
  EXPECT_TRUE(Refuses(R"({"frames": "[]"})"));
  EXPECT_TRUE(Refuses(R"({"frames": 0})"));
  EXPECT_TRUE(Refuses(R"({"frames": null})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "frames": []})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "settings": 1, "fr\u0061mes": []})"));
  EXPECT_TRUE(Refuses(R"("frames")"));
  EXPECT_TRUE(Refuses(R"(0)"));
  EXPECT_TRUE(Refuses(R"(true)"));
  EXPECT_TRUE(Refuses(R"(null)"));
}

TEST_F(FramesJsonTest, RefusesMalformedFrames) {
  EXPECT_TRUE(Refuses(Frames(R"([])")));
  EXPECT_TRUE(Refuses(Frames(R"(0)")));
  EXPECT_TRUE(Refuses(Frames(R"(null)")));
  EXPECT_TRUE(Refuses(Frames(R"("frame")")));
  EXPECT_TRUE(Refuses(Frames(R"({"timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 1.0, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 1e2, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 1E2, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": true, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": false, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": "0", "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": null, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": [0], "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0.5, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": true, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": {}, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": {}, "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": null, "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": "none"})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": 0})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "frame_index": 1, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": [], "pred": []})")));
}

TEST_F(FramesJsonTest, RefusesRepeatedFrameIndices) {
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 4, "timestamp_us": 0, "gt": [], "pred": []},
                                {"frame_index": 4, "timestamp_us": 1, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []},
                                {"frame_index": -0, "timestamp_us": 1, "gt": [], "pred": []})")));
  EXPECT_TRUE(Refuses(R"([{"frame_index": 1, "timestamp_us": 0, "gt": [], "pred": []},
                          {"frame_index": 2, "timestamp_us": 0, "gt": [], "pred": []},
                          {"frame_index": 1, "timestamp_us": 0, "gt": [], "pred": []}])"));
  EXPECT_TRUE(
      Refuses(Frames(R"({"frame_index": 123456789012345678901234567890, "timestamp_us": 0, "gt": [], "pred": []},
                                {"frame_index": 123456789012345678901234567890, "timestamp_us": 0, "gt": [], "pred": []})")));
  EXPECT_EQ(Refusal(Frames(R"({"frame_index": 4, "timestamp_us": 0, "gt": [], "pred": []},
                              {"frame_index": 4, "timestamp_us": 1, "gt": [], "pred": []})")),
            "frames[1].frame_index | duplicate frame_index");
}

TEST_F(FramesJsonTest, RefusesMalformedObjects) {
  EXPECT_TRUE(Refuses(Gt(R"([])")));
  EXPECT_TRUE(Refuses(Gt(R"("car")")));
  EXPECT_TRUE(Refuses(Gt(R"(null)")));
  EXPECT_TRUE(Refuses(Pred(R"(1)")));
  // label
  EXPECT_TRUE(Refuses(Gt(R"({"center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": 0, "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": null, "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": ["car"], "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  // center
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": {}, "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": 1, "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3, 4], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, "2", 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, true, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, null, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, [2], 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, {}, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(
      Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  // size
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": "4 5 6", "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, -6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [-1e-300, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Pred(R"({"label": "car", "center": [1, 2, 3], "size": [4, -5, 6], "yaw": 0, "score": 1})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "size": [4, 5, 6], "yaw": 0})")));
  // yaw
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6]})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": "0"})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": false})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": [0]})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "yaw": 0})")));
  // score (predictions)
  EXPECT_TRUE(Refuses(Pred(kBox)));
  EXPECT_TRUE(Refuses(Pred(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": "1"})")));
  EXPECT_TRUE(Refuses(Pred(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": null})")));
  EXPECT_TRUE(Refuses(Pred(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": true})")));
  EXPECT_TRUE(
      Refuses(Pred(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": 1, "score": 1})")));
  // a bad object after good ones, in the second frame
  EXPECT_EQ(
      Refusal(Frames(R"({"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []},
                              {"frame_index": 1, "timestamp_us": 0, "gt": [)" +
                     std::string(kBox) + R"(, {"label": "car", "center": [1, 2, 3], "size": [4, -5, 6], "yaw": 0}],
                               "pred": []})")),
      "frames[1].gt[1].size[1] | negative size");
}

TEST_F(FramesJsonTest, RefusesNumbersOutsideFloat64) {
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1e400, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [-1e400, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(
      Refuses(Gt(R"({"label": "car", "center": [1.7976931348623159e308, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 1e-400})")));
  EXPECT_TRUE(Refuses(Gt(R"({"label": "car", "center": [1, 2, 3], "size": [2e-324, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(Pred(R"({"label": "car", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0, "score": -1e-999})")));
  EXPECT_TRUE(Refuses(
      Gt(R"({"label": "car", "center": [1)" + std::string(400, '0') + R"(, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
}

TEST_F(FramesJsonTest, RefusesWhatIsNotStrictJson) {
  std::string const good = Gt(kBox);
  EXPECT_TRUE(Refuses(""));
  EXPECT_TRUE(Refuses("   "));
  EXPECT_TRUE(Refuses(R"({"frames": [],})"));
  EXPECT_TRUE(Refuses(R"({"frames": [{"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": [],}]})"));
  EXPECT_TRUE(Refuses(R"([{"frame_index": 0, "timestamp_us": 0, "gt": [], "pred": []},])"));
  EXPECT_TRUE(Refuses(R"(// comment
    {"frames": []})"));
  EXPECT_TRUE(Refuses(R"({"frames": [] /* comment */})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "settings": NaN})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "settings": Infinity})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "settings": -Infinity})"));
  EXPECT_TRUE(Refuses(R"({'frames': []})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": 01})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": +1})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": .5})"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": 1.})"));
  EXPECT_TRUE(Refuses(R"({"frames": []} {})"));
  EXPECT_TRUE(Refuses(R"({"frames": []}])"));
  EXPECT_TRUE(Refuses(good.substr(0, good.size() - 1)));
  EXPECT_TRUE(Refuses("\xef\xbb\xbf" + good));        // UTF-8 BOM
  EXPECT_TRUE(Refuses(good + std::string(1, '\0')));  // NUL after the document
  EXPECT_TRUE(Refuses(good + std::string(1, '\0') + "garbage"));
  constexpr char kNulInString[] = "{\"frames\": [], \"x\": \"a\0b\"}";
  EXPECT_TRUE(Refuses(std::string(kNulInString, sizeof(kNulInString) - 1)));  // NUL inside a string
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": "tab	inside"})"));         // raw control character
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": "\x"})"));                       // bad escape
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": "\ud800"})"));                   // lone high surrogate
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": "\ud800\u0041"})"));             // high surrogate without low one
  EXPECT_TRUE(Refuses(Gt(R"({"label": "\udc00", "center": [1, 2, 3], "size": [4, 5, 6], "yaw": 0})")));
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": ")" + std::string("\xed\xa0\x80") + "\"}"));      // raw surrogate
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": ")" + std::string("\xc0\x80") + "\"}"));          // overlong
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": ")" + std::string("\xf4\x90\x80\x80") + "\"}"));  // > U+10FFFF
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": ")" + std::string("\xff") + "\"}"));
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": ")" + std::string("\xe2\x82") + "\"}"));  // truncated sequence
  EXPECT_TRUE(Refuses(R"({"frames": [], "x": ")" + std::string("\xf1")));              // truncated at the end
}

TEST_F(FramesJsonTest, AcceptsValidUtf8AndEscapesInSkippedValues) {
  EXPECT_EQ(Read(R"({"frames": [], "x": "\u00e9 \ud83d\ude00 \" \\ \/ \b \f \n \r \t", "y": ")" +
                 std::string("\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbf") + "\"}")
                .num_frames,
            0);
}

TEST_F(FramesJsonTest, RefusesNestingBeyondTheLimit) {
  std::string const ok = R"({"frames": [], "x": )" + std::string(90, '[') + std::string(90, ']') + "}";
  EXPECT_EQ(Read(ok).num_frames, 0);
  std::string const deep = R"({"frames": [], "x": )" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_TRUE(Refuses(deep));
  std::string const deeper = R"({"frames": [], "x": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_TRUE(Refuses(deeper));
}

TEST_F(FramesJsonTest, RefusesDuplicateLabelNames) { EXPECT_TRUE(Refuses(Gt(kBox), {"car", "truck", "car"})); }

}  // namespace
}  // namespace awml::metrics
