// CUDA RAII on a device: allocation, copies, zeroing, moves and events (a GPU test: Bazel runs it as
// cuda_raii_device_test_gpu only where a GPU is; no device is a failure, not a skip).
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

#include "cpp/trt_runtime/cuda_buffer.h"
#include "cpp/trt_runtime/cuda_stream.h"

namespace awml::trt {
namespace {

#define REQUIRE_DEVICE() ASSERT_TRUE(CudaDeviceCount().ok()) << CudaDeviceCount().status().ToString()

TEST(DeviceBufferTest, RoundTripZeroAndOversizedCopy) {
  REQUIRE_DEVICE();
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
  REQUIRE_DEVICE();
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
