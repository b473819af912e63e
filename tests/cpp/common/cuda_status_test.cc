// CudaStatus: CUDA runtime errors as Status (no device needed: the error values are passed in).
#include "cpp/common/cuda_status.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/cpp/common/allocation_counter.h"

namespace awml {
namespace {

TEST(CudaStatusTest, MapsErrorsToCodes) {
  EXPECT_TRUE(CudaStatus(cudaSuccess, "x").ok());
  EXPECT_EQ(CudaStatus(cudaErrorNoDevice, "x").code(), StatusCode::kUnavailable);
  Status const status = CudaStatus(cudaErrorInvalidValue, "cudaMemcpyAsync");
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("cudaMemcpyAsync | cudaErrorInvalidValue"), std::string::npos);
}

// Every launch passes through CudaStatus: success must not touch the heap. The name is longer than std::string's
// in-place buffer, so a std::string parameter would allocate.
TEST(CudaStatusTest, AllocatesNothingOnSuccess) {
  long const before = testing::AllocationCount();
  Status const ok = CudaStatus(cudaSuccess, "cooperative launch of the voxeliser");
  long const after_ok = testing::AllocationCount();
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(after_ok - before, 0);
  Status const failed = CudaStatus(cudaErrorInvalidValue, "cooperative launch of the voxeliser");  // counted
  EXPECT_FALSE(failed.ok());
  EXPECT_GT(testing::AllocationCount() - after_ok, 0);
}

Status ReturnsOnError(cudaError_t error, int* reached) {
  AWML_RETURN_IF_CUDA_ERROR(error, "step");
  *reached = 1;
  return OkStatus();
}

TEST(CudaStatusTest, ReturnIfCudaErrorReturnsOnlyOnError) {
  int reached = 0;
  EXPECT_TRUE(ReturnsOnError(cudaSuccess, &reached).ok());
  EXPECT_EQ(reached, 1);
  reached = 0;
  Status const status = ReturnsOnError(cudaErrorMemoryAllocation, &reached);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_EQ(reached, 0);
}

}  // namespace
}  // namespace awml
