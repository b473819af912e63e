#include "cpp/trt_runtime/trt_types.h"

#include <string>

namespace awml::trt {

StatusOr<DataType> FromTrtDataType(nvinfer1::DataType dtype) {
  switch (dtype) {
    case nvinfer1::DataType::kFLOAT:
      return DataType::kFloat32;
    case nvinfer1::DataType::kHALF:
      return DataType::kFloat16;
    case nvinfer1::DataType::kBF16:
      return DataType::kBFloat16;
    case nvinfer1::DataType::kINT8:
      return DataType::kInt8;
    case nvinfer1::DataType::kUINT8:
      return DataType::kUInt8;
    case nvinfer1::DataType::kINT32:
      return DataType::kInt32;
    case nvinfer1::DataType::kINT64:
      return DataType::kInt64;
    case nvinfer1::DataType::kBOOL:
      return DataType::kBool;
    default:
      break;
  }
  return InvalidArgumentError(
      "dtype | TensorRT dtype " + std::to_string(static_cast<int>(dtype)) +
      " has no runtime equivalent. Note: expected float32/16, bfloat16, (u)int8, int32/64, bool");
}

nvinfer1::DataType ToTrtDataType(DataType dtype) {
  switch (dtype) {
    case DataType::kFloat32:
      return nvinfer1::DataType::kFLOAT;
    case DataType::kFloat16:
      return nvinfer1::DataType::kHALF;
    case DataType::kBFloat16:
      return nvinfer1::DataType::kBF16;
    case DataType::kInt8:
      return nvinfer1::DataType::kINT8;
    case DataType::kUInt8:
      return nvinfer1::DataType::kUINT8;
    case DataType::kInt32:
      return nvinfer1::DataType::kINT32;
    case DataType::kInt64:
      return nvinfer1::DataType::kINT64;
    case DataType::kBool:
      return nvinfer1::DataType::kBOOL;
  }
  return nvinfer1::DataType::kFLOAT;
}

Dims FromTrtDims(nvinfer1::Dims const& dims) {
  Dims out;
  for (int32_t i = 0; i < dims.nbDims; ++i) out.push_back(dims.d[i]);
  return out;
}

StatusOr<nvinfer1::Dims> ToTrtDims(Dims const& dims) {
  if (dims.size() > static_cast<std::size_t>(nvinfer1::Dims::MAX_DIMS)) {
    return InvalidArgumentError("dims | rank " + std::to_string(dims.size()) + " exceeds TensorRT's maximum " +
                                std::to_string(nvinfer1::Dims::MAX_DIMS));
  }
  nvinfer1::Dims out{};
  out.nbDims = static_cast<int32_t>(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) out.d[i] = dims[i];
  return out;
}

TrtVersion LoadedTrtVersion() {
  return TrtVersion{getInferLibMajorVersion(), getInferLibMinorVersion(), getInferLibPatchVersion()};
}

TrtVersion HeaderTrtVersion() { return TrtVersion{NV_TENSORRT_MAJOR, NV_TENSORRT_MINOR, NV_TENSORRT_PATCH}; }

StatusOr<EngineIo> DescribeEngine(nvinfer1::ICudaEngine const& engine) {
  EngineIo io;
  int32_t const num_tensors = engine.getNbIOTensors();
  int32_t const num_profiles = engine.getNbOptimizationProfiles();
  io.profiles.resize(static_cast<std::size_t>(num_profiles));
  for (int32_t i = 0; i < num_tensors; ++i) {
    char const* name = engine.getIOTensorName(i);
    TensorSpec tensor;
    tensor.name = name;
    tensor.role =
        engine.getTensorIOMode(name) == nvinfer1::TensorIOMode::kINPUT ? TensorRole::kInput : TensorRole::kOutput;
    AWML_ASSIGN_OR_RETURN(tensor.dtype, FromTrtDataType(engine.getTensorDataType(name)));
    tensor.dims = FromTrtDims(engine.getTensorShape(name));
    bool dynamic = false;
    for (int64_t d : tensor.dims) dynamic = dynamic || d < 0;
    if (tensor.role == TensorRole::kInput && dynamic) {
      for (int32_t p = 0; p < num_profiles; ++p) {
        ShapeRange range;
        range.min = FromTrtDims(engine.getProfileShape(name, p, nvinfer1::OptProfileSelector::kMIN));
        range.opt = FromTrtDims(engine.getProfileShape(name, p, nvinfer1::OptProfileSelector::kOPT));
        range.max = FromTrtDims(engine.getProfileShape(name, p, nvinfer1::OptProfileSelector::kMAX));
        io.profiles[static_cast<std::size_t>(p)].shapes[tensor.name] = range;
      }
    }
    io.tensors.push_back(std::move(tensor));
  }
  return io;
}

}  // namespace awml::trt
