# The embedded default in Autoware's flavour: a static batch of 1 in the ONNX, as autoware_tensorrt_yolox
# reads the batch size from the ONNX input to build its TensorRT profile.
_base_ = ["./deploy_default.py"]

export = dict(work_dir="work_dirs/yolox_autoware")
project = dict(flavour="autoware", batch_size=1)
