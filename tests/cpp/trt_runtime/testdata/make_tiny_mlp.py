"""Writes tiny_mlp.onnx, the fixture of engine_trt_test: y = relu(x @ W + b), x float32 [batch, 4].

W[i][j] = 0.1 * (i + 1) - 0.2 * j and b[j] = 0.05 * j, so the C++ test recomputes the reference exactly.
Run: python3 tests/cpp/trt_runtime/testdata/make_tiny_mlp.py
"""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build() -> onnx.ModelProto:
    """Returns the model (opset 17, dynamic batch)."""
    weight = np.array([[0.1 * (i + 1) - 0.2 * j for j in range(3)] for i in range(4)], dtype=np.float32)
    bias = np.array([0.05 * j for j in range(3)], dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["x", "W"], ["xw"]),
            helper.make_node("Add", ["xw", "b"], ["xwb"]),
            helper.make_node("Relu", ["xwb"], ["y"]),
        ],
        "tiny_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        initializer=[numpy_helper.from_array(weight, "W"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="awml-deploy-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


if __name__ == "__main__":
    onnx.save(build(), str(Path(__file__).with_name("tiny_mlp.onnx")))
