// CudaStatus: CUDA runtime errors as Status (no device needed: the error values are passed in).
#include "cpp/common/cuda_status.h"

#include <gtest/gtest.h>

#include <string>

namespace awml {
namespace {

TEST(CudaStatusTest, MapsErrorsToCodes) {
  EXPECT_TRUE(CudaStatus(cudaSuccess, "x").ok());
  EXPECT_EQ(CudaStatus(cudaErrorNoDevice, "x").code(), StatusCode::kUnavailable);
  Status const status = CudaStatus(cudaErrorInvalidValue, "cudaMemcpyAsync");
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("cudaMemcpyAsync | cudaErrorInvalidValue"), std::string::npos);
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
