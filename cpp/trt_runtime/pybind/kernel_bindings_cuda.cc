// CUDA entry points of the CenterPoint kernels: raw device pointers (ints, e.g. torch's data_ptr()) and a
// stream handle (int, 0 = default stream). The caller owns every buffer, the workspace included; nothing is
// allocated and nothing synchronises. Without AWML_WITH_CUDA only cuda_device_count() (= 0) is registered.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "cpp/trt_runtime/pybind/kernel_bindings.h"

#if AWML_WITH_CUDA
#include <cuda_runtime.h>

#include "cpp/plugins/kernels/circle_nms/circle_nms.h"
#include "cpp/plugins/kernels/decode/decode.h"
#include "cpp/plugins/kernels/pillar_features/pillar_features.h"
#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/kernels/voxelize/voxelize.h"
#endif

namespace py = pybind11;

namespace awml::kernels {

#if AWML_WITH_CUDA
namespace {

int DeviceCount() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

void RequireDevice(char const* what) {
  if (DeviceCount() == 0) {
    throw std::runtime_error(std::string(what) + " | no CUDA device is present. Note: use the CPU entry point");
  }
}

template <typename T>
T* Ptr(uintptr_t p) {
  return reinterpret_cast<T*>(p);
}

StreamHandle Stream(uintptr_t s) { return reinterpret_cast<StreamHandle>(s); }

// Runs a `Status F(size_t* bytes)` query and returns the bytes. (A helper taking the status and the value as two
// arguments would read the value before the call: argument evaluation order is unspecified.)
template <typename Query>
size_t WorkspaceBytes(Query query) {
  size_t bytes = 0;
  ThrowIfError(query(&bytes));
  return bytes;
}

}  // namespace

void RegisterCudaKernels(py::module_& m) {
  m.attr("CUDA_AVAILABLE") = true;
  m.def("cuda_device_count", &DeviceCount, "Number of visible CUDA devices (0 without a driver or device).");
  m.def(
      "voxelize_cuda_workspace_bytes",
      [](VoxelizeConfig const& c, int64_t max_num_points) {
        return WorkspaceBytes([&](size_t* b) { return VoxelizeCudaWorkspaceBytes(c, max_num_points, b); });
      },
      py::arg("config"), py::arg("max_num_points"));
  m.def(
      "voxelize_cuda",
      [](VoxelizeConfig const& c, uintptr_t points, int64_t num_points, uintptr_t pillar_points,
         uintptr_t points_per_pillar, uintptr_t coords, uintptr_t counters, uintptr_t workspace, size_t workspace_bytes,
         uintptr_t stream) {
        RequireDevice("voxelize_cuda");
        ThrowIfError(VoxelizeCuda(
            c, Ptr<float const>(points), num_points,
            {Ptr<float>(pillar_points), Ptr<int32_t>(points_per_pillar), Ptr<int32_t>(coords), Ptr<int32_t>(counters)},
            Ptr<void>(workspace), workspace_bytes, Stream(stream)));
      },
      py::arg("config"), py::arg("points"), py::arg("num_points"), py::arg("pillar_points"),
      py::arg("points_per_pillar"), py::arg("coords"), py::arg("counters"), py::arg("workspace"),
      py::arg("workspace_bytes"), py::arg("stream") = 0);
  m.def(
      "pillar_features_cuda",
      [](PillarFeaturesConfig const& c, uintptr_t pillar_points, uintptr_t points_per_pillar, uintptr_t coords,
         uintptr_t pillar_count, uintptr_t features, uintptr_t stream) {
        RequireDevice("pillar_features_cuda");
        ThrowIfError(PillarFeaturesCuda(c, Ptr<float const>(pillar_points), Ptr<int32_t const>(points_per_pillar),
                                        Ptr<int32_t const>(coords), Ptr<int32_t const>(pillar_count),
                                        Ptr<float>(features), Stream(stream)));
      },
      py::arg("config"), py::arg("pillar_points"), py::arg("points_per_pillar"), py::arg("coords"),
      py::arg("pillar_count"), py::arg("features"), py::arg("stream") = 0);
  m.def(
      "scatter_cuda",
      [](ScatterConfig const& c, uintptr_t features, uintptr_t coords, uintptr_t pillar_count, uintptr_t canvas,
         uintptr_t stream) {
        RequireDevice("scatter_cuda");
        ThrowIfError(ScatterCuda(c, Ptr<float const>(features), Ptr<int32_t const>(coords),
                                 Ptr<int32_t const>(pillar_count), Ptr<float>(canvas), Stream(stream)));
      },
      py::arg("config"), py::arg("pillar_features"), py::arg("coords"), py::arg("pillar_count"), py::arg("canvas"),
      py::arg("stream") = 0);
  m.def(
      "decode_cuda_workspace_bytes",
      [](DecodeConfig const& c) { return WorkspaceBytes([&](size_t* b) { return DecodeCudaWorkspaceBytes(c, b); }); },
      py::arg("config"));
  m.def(
      "decode_cuda",
      [](DecodeConfig const& c, uintptr_t heatmap, uintptr_t reg, uintptr_t height, uintptr_t dim, uintptr_t rot,
         uintptr_t vel, uintptr_t boxes, uintptr_t counters, uintptr_t workspace, size_t workspace_bytes,
         uintptr_t stream) {
        RequireDevice("decode_cuda");
        HeadTensors const t{Ptr<float const>(heatmap), Ptr<float const>(reg), Ptr<float const>(height),
                            Ptr<float const>(dim),     Ptr<float const>(rot), Ptr<float const>(vel)};
        ThrowIfError(DecodeCuda(c, t, {Ptr<float>(boxes), Ptr<int32_t>(counters)}, Ptr<void>(workspace),
                                workspace_bytes, Stream(stream)));
      },
      py::arg("config"), py::arg("heatmap"), py::arg("reg"), py::arg("height"), py::arg("dim"), py::arg("rot"),
      py::arg("vel"), py::arg("boxes"), py::arg("counters"), py::arg("workspace"), py::arg("workspace_bytes"),
      py::arg("stream") = 0);
  m.def(
      "circle_nms_cuda_workspace_bytes",
      [](CircleNmsConfig const& c) {
        return WorkspaceBytes([&](size_t* b) { return CircleNmsCudaWorkspaceBytes(c, b); });
      },
      py::arg("config"));
  m.def(
      "circle_nms_cuda",
      [](CircleNmsConfig const& c, uintptr_t boxes, uintptr_t num_boxes, uintptr_t out_boxes, uintptr_t num_out,
         uintptr_t workspace, size_t workspace_bytes, uintptr_t stream) {
        RequireDevice("circle_nms_cuda");
        ThrowIfError(CircleNmsCuda(c, Ptr<float const>(boxes), Ptr<int32_t const>(num_boxes), Ptr<float>(out_boxes),
                                   Ptr<int32_t>(num_out), Ptr<void>(workspace), workspace_bytes, Stream(stream)));
      },
      py::arg("config"), py::arg("boxes"), py::arg("num_boxes"), py::arg("out_boxes"), py::arg("num_out"),
      py::arg("workspace"), py::arg("workspace_bytes"), py::arg("stream") = 0);
}

#else

void RegisterCudaKernels(py::module_& m) {
  m.attr("CUDA_AVAILABLE") = false;
  m.def(
      "cuda_device_count", []() { return 0; }, "Always 0: this build has no CUDA.");
}

#endif  // AWML_WITH_CUDA

}  // namespace awml::kernels
