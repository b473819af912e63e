// Conversions between TensorRT types and the runtime's TensorRT-free ones, and the description of a
// built engine as EngineIo for ValidateEngineIo.
#ifndef AWML_CPP_TRT_RUNTIME_TRT_TYPES_H_
#define AWML_CPP_TRT_RUNTIME_TRT_TYPES_H_

#include <NvInferRuntime.h>

#include <memory>

#include "cpp/common/status.h"
#include "cpp/trt_runtime/io_spec.h"
#include "cpp/trt_runtime/precision_policy.h"

namespace awml::trt {

StatusOr<DataType> FromTrtDataType(nvinfer1::DataType dtype);
nvinfer1::DataType ToTrtDataType(DataType dtype);
Dims FromTrtDims(nvinfer1::Dims const& dims);
StatusOr<nvinfer1::Dims> ToTrtDims(Dims const& dims);

//! Version of the TensorRT library loaded at run time (may differ from the headers compiled against).
TrtVersion LoadedTrtVersion();
//! Version of the headers this code was compiled against: decides which API (flags) the builder can use.
TrtVersion HeaderTrtVersion();

//! Names, roles, dtypes, dims and every profile's ranges of the engine's I/O tensors.
StatusOr<EngineIo> DescribeEngine(nvinfer1::ICudaEngine const& engine);

//! Deletes TensorRT objects (TensorRT 10 objects are deleted with `delete`).
template <typename T>
using TrtPtr = std::unique_ptr<T>;

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_TRT_TYPES_H_
