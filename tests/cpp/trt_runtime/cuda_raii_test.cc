// CUDA RAII without a device: every call reports kUnavailable instead of crashing; argument checks that
// never touch the device. The device cases are cuda_raii_device_test.cc (a GPU test).
#include <gtest/gtest.h>

#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"

namespace awml::trt {
namespace {

bool HasDevice() { return CudaDeviceCount().ok(); }

TEST(CudaWithoutDeviceTest, EveryEntryPointReportsUnavailable) {
  if (HasDevice()) GTEST_SKIP() << "a CUDA device is present; covered by the device tests";
  StatusOr<int> const count = CudaDeviceCount();
  EXPECT_EQ(count.status().code(), StatusCode::kUnavailable) << count.status().ToString();
  StatusOr<CudaStream> const stream = CudaStream::Create();
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kUnavailable) << stream.status().ToString();
  EXPECT_NE(stream.status().message().find("cudaStreamCreateWithFlags | "), std::string::npos);
}

TEST(DeviceBufferTest, RejectsLegacyDefaultStreamWithoutTouchingTheDevice) {
  StatusOr<DeviceBuffer> const buffer = DeviceBuffer::Allocate(64, nullptr);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace awml::trt
