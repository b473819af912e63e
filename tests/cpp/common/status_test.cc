#include "cpp/common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/cpp/common/allocation_counter.h"

namespace awml {
namespace {

StatusOr<int> ParsePositive(int value) {
  if (value <= 0) return InvalidArgumentError("value | must be positive. Note: got " + std::to_string(value));
  return value;
}

StatusOr<int> Doubled(int value) {
  AWML_ASSIGN_OR_RETURN(int const parsed, ParsePositive(value));
  return parsed * 2;
}

Status CheckBoth(int a, int b) {
  AWML_RETURN_IF_ERROR(ParsePositive(a).status());
  AWML_RETURN_IF_ERROR(ParsePositive(b).status());
  return OkStatus();
}

TEST(StatusTest, DefaultIsOk) {
  Status const status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "ok");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status const status = MismatchError("engine io | dtype");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kMismatch);
  EXPECT_EQ(status.ToString(), "mismatch: engine io | dtype");
  EXPECT_EQ(status.WithContext("load").message(), "load: engine io | dtype");
  EXPECT_TRUE(OkStatus().WithContext("load").ok());
}

TEST(StatusTest, EveryCodeHasADistinctName) {
  EXPECT_STREQ(StatusCodeName(StatusCode::kUnavailable), "unavailable");
  EXPECT_STREQ(StatusCodeName(StatusCode::kNotFound), "not_found");
  EXPECT_STRNE(StatusCodeName(StatusCode::kInternal), StatusCodeName(StatusCode::kInvalidArgument));
}

TEST(StatusOrTest, AssignOrReturnPropagatesErrorAndValue) {
  StatusOr<int> const good = Doubled(21);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  StatusOr<int> const bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("got -1"), std::string::npos);
}

TEST(StatusOrTest, ReturnIfErrorStopsAtFirstFailure) {
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  Status const status = CheckBoth(1, -7);
  EXPECT_NE(status.message().find("got -7"), std::string::npos);
}

TEST(StatusOrTest, OkStatusWithoutValueBecomesInternalError) {
  StatusOr<int> const value = Status();
  EXPECT_FALSE(value.ok());
  EXPECT_EQ(value.status().code(), StatusCode::kInternal);
}

TEST(StatusOrTest, HoldsMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> value = std::make_unique<int>(5);
  ASSERT_TRUE(value.ok());
  std::unique_ptr<int> owned = std::move(value).value();
  EXPECT_EQ(*owned, 5);
}

TEST(CheckBytesTest, EnoughIsOkAndTooFewNamesBothCounts) {
  EXPECT_TRUE(CheckBytes("decode | workspace", 256, 256).ok());
  EXPECT_TRUE(CheckBytes("decode | workspace", 257, 256).ok());
  Status const small = CheckBytes("decode | workspace", 255, 256);
  EXPECT_EQ(small.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(small.message(), "decode | workspace too small. Note: expected >= 256 bytes, got 255");
  Status const detailed = CheckBytes("voxelize | workspace", 0, 4096, " for 10 points");
  EXPECT_EQ(detailed.message(), "voxelize | workspace too small. Note: expected >= 4096 bytes for 10 points, got 0");
}

// Every kernel launcher checks its workspace on every frame: the check must not touch the heap when it passes.
// The names are longer than std::string's in-place buffer, so a std::string parameter would allocate.
TEST(CheckBytesTest, AllocatesNothingWhenTheSizeSuffices) {
  long const before = testing::AllocationCount();
  Status const ok = CheckBytes("pillar features | sparse state", 4096, 4096, " for 120000 points, the detail");
  long const after_ok = testing::AllocationCount();
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(after_ok - before, 0);
  Status const small = CheckBytes("pillar features | sparse state", 1, 4096);  // the counter does count
  EXPECT_FALSE(small.ok());
  EXPECT_GT(testing::AllocationCount() - after_ok, 0);
}

// A detail that costs an allocation to build (VoxelizeCuda's point count) is built only when the check fails.
TEST(CheckBytesTest, BuildsADetailFunctionOnlyWhenTheSizeIsShort) {
  int built = 0;
  auto detail = [&] {
    ++built;
    return " for " + std::to_string(120000 + built) + " points";
  };
  long const before = testing::AllocationCount();
  EXPECT_TRUE(CheckBytes("voxelize | workspace", 4096, 4096, detail).ok());
  EXPECT_EQ(testing::AllocationCount() - before, 0);
  EXPECT_EQ(built, 0);
  Status const small = CheckBytes("voxelize | workspace", 100, 4096, detail);
  EXPECT_EQ(built, 1);
  EXPECT_EQ(small.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(small.message(), "voxelize | workspace too small. Note: expected >= 4096 bytes for 120001 points, got 100");
}

}  // namespace
}  // namespace awml
