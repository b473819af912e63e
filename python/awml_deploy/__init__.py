"""awml-deploy: PyTorch checkpoint -> ONNX / TensorRT, verified and evaluated.

Importing this package needs only NumPy: torch, onnx, onnxruntime, TensorRT and the native extension are
imported lazily by the parts that need them.
"""

__version__ = "0.1.0"
