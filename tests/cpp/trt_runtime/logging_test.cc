#include "cpp/trt_runtime/logging.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace awml::trt {
namespace {

class CapturingSink final : public LogSink {
 public:
  void Write(LogSeverity severity, std::string_view message) override {
    lines.emplace_back(severity, std::string(message));
  }
  std::vector<std::pair<LogSeverity, std::string>> lines;
};

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_shared<CapturingSink>();
    previous_ = SetLogSink(sink_);
    SetMinLogSeverity(LogSeverity::kInfo);
  }
  void TearDown() override {
    SetLogSink(previous_);
    SetMinLogSeverity(LogSeverity::kInfo);
  }
  std::shared_ptr<CapturingSink> sink_;
  std::shared_ptr<LogSink> previous_;
};

TEST_F(LoggingTest, ForwardsToInstalledSink) {
  Log(LogSeverity::kWarning, "engine cache | stale plan");
  ASSERT_EQ(sink_->lines.size(), 1u);
  EXPECT_EQ(sink_->lines[0].first, LogSeverity::kWarning);
  EXPECT_EQ(sink_->lines[0].second, "engine cache | stale plan");
}

TEST_F(LoggingTest, DropsMessagesBelowMinimumSeverity) {
  Log(LogSeverity::kVerbose, "hidden");
  SetMinLogSeverity(LogSeverity::kError);
  Log(LogSeverity::kWarning, "hidden too");
  Log(LogSeverity::kError, "shown");
  ASSERT_EQ(sink_->lines.size(), 1u);
  EXPECT_EQ(sink_->lines[0].second, "shown");
  EXPECT_EQ(MinLogSeverity(), LogSeverity::kError);
}

TEST_F(LoggingTest, NullSinkRestoresStderrSinkAndReturnsPrevious) {
  std::shared_ptr<LogSink> const mine = SetLogSink(nullptr);
  EXPECT_EQ(mine, sink_);
  Log(LogSeverity::kInfo, "to stderr");
  EXPECT_TRUE(sink_->lines.empty());
  std::shared_ptr<LogSink> const stderr_sink = SetLogSink(sink_);
  EXPECT_NE(dynamic_cast<StderrLogSink*>(stderr_sink.get()), nullptr);
}

TEST(LogSeverityTagTest, Tags) {
  EXPECT_STREQ(LogSeverityTag(LogSeverity::kVerbose), "V");
  EXPECT_STREQ(LogSeverityTag(LogSeverity::kError), "E");
}

}  // namespace
}  // namespace awml::trt
