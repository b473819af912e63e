"""ONNX side of the C++ TensorRT plugins in ``cpp/plugins/trt`` (custom-op nodes the TensorRT parser maps to them)."""
