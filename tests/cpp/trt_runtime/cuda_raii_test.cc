#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

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

TEST(CudaStatusTest, MapsErrorsToCodes) {
  EXPECT_TRUE(CudaStatus(cudaSuccess, "x").ok());
  EXPECT_EQ(CudaStatus(cudaErrorNoDevice, "x").code(), StatusCode::kUnavailable);
  Status const status = CudaStatus(cudaErrorInvalidValue, "cudaMemcpyAsync");
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("cudaMemcpyAsync | cudaErrorInvalidValue"), std::string::npos);
}

TEST(DeviceBufferTest, RejectsLegacyDefaultStreamWithoutTouchingTheDevice) {
  StatusOr<DeviceBuffer> const buffer = DeviceBuffer::Allocate(64, nullptr);
  ASSERT_FALSE(buffer.ok());
  EXPECT_EQ(buffer.status().code(), StatusCode::kInvalidArgument);
}

TEST(DeviceBufferTest, RoundTripZeroAndOversizedCopy) {
  if (!HasDevice()) GTEST_SKIP() << "no CUDA device";
  StatusOr<CudaStream> stream = CudaStream::Create();
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  std::vector<int32_t> host(1000);
  std::iota(host.begin(), host.end(), -500);
  StatusOr<DeviceBuffer> device = DeviceBuffer::Allocate(host.size() * sizeof(int32_t), stream->get());
  ASSERT_TRUE(device.ok()) << device.status().ToString();
  StatusOr<PinnedBuffer> pinned = PinnedBuffer::Allocate(host.size() * sizeof(int32_t));
  ASSERT_TRUE(pinned.ok());

  ASSERT_TRUE(device->CopyFromHostAsync(host.data(), device->size(), stream->get()).ok());
  ASSERT_TRUE(device->CopyToHostAsync(pinned->data(), device->size(), stream->get()).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  for (std::size_t i = 0; i < host.size(); ++i) ASSERT_EQ(pinned->as<int32_t>()[i], host[i]) << i;

  ASSERT_TRUE(device->ZeroAsync(stream->get()).ok());
  ASSERT_TRUE(device->CopyToHostAsync(pinned->data(), device->size(), stream->get()).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  for (std::size_t i = 0; i < host.size(); ++i) ASSERT_EQ(pinned->as<int32_t>()[i], 0) << i;

  Status const too_big = device->CopyFromHostAsync(host.data(), device->size() + 4, stream->get());
  EXPECT_EQ(too_big.code(), StatusCode::kInvalidArgument);

  // Moving transfers ownership; the moved-from buffer is empty and frees nothing.
  DeviceBuffer moved = std::move(*device);
  EXPECT_EQ(device->data(), nullptr);
  EXPECT_EQ(moved.size(), host.size() * sizeof(int32_t));
}

TEST(CudaEventTest, MeasuresNonNegativeElapsedTime) {
  if (!HasDevice()) GTEST_SKIP() << "no CUDA device";
  StatusOr<CudaStream> stream = CudaStream::Create();
  ASSERT_TRUE(stream.ok());
  StatusOr<CudaEvent> start = CudaEvent::Create();
  StatusOr<CudaEvent> stop = CudaEvent::Create();
  ASSERT_TRUE(start.ok() && stop.ok());
  StatusOr<DeviceBuffer> device = DeviceBuffer::Allocate(1 << 24, stream->get());
  ASSERT_TRUE(device.ok());
  ASSERT_TRUE(start->Record(stream->get()).ok());
  ASSERT_TRUE(device->ZeroAsync(stream->get()).ok());
  ASSERT_TRUE(stop->Record(stream->get()).ok());
  ASSERT_TRUE(stream->Synchronize().ok());
  StatusOr<float> const ms = stop->ElapsedMsSince(*start);
  ASSERT_TRUE(ms.ok()) << ms.status().ToString();
  EXPECT_GE(*ms, 0.0f);
}

}  // namespace
}  // namespace awml::trt
