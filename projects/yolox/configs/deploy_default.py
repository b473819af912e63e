# Deploy config of the embedded default: the committed YOLOX checkpoint on the committed synthetic images.
# `bazel run //projects/yolox:deploy` (or `awml-deploy yolox`) uses it when no config is given.
# Relative paths in `project` resolve against the repository root; checkpoint_path against this file.

checkpoint_path = "{{ fileDirname }}/../assets/yolox_pico_shapes.pth"

export = dict(mode="both", work_dir="work_dirs/yolox")

# Names only: shapes, the dynamic batch axis and the TensorRT profile are derived from the model config
# (input size from its test pipeline, anchors from the head's strides, 4 + 1 + C channels).
components = dict(
    model=dict(
        onnx_file="yolox.onnx",
        engine_file="yolox.engine",
        io=dict(inputs=["images"], outputs=["output"]),
    )
)

onnx_config = dict(opset_version=17, dynamo=False)

verification = dict(
    num_verify_samples=5,
    # decoded boxes are in pixels (exp of the regression): a pixel-scale absolute tolerance
    per_output=dict(decoded_boxes=dict(atol=2e-3, rtol=1e-3)),
)

evaluation = dict(
    enabled=True,
    num_samples=-1,
    warmup=2,
    max_primary_metric_delta=0.01,
    # quality floor: the shipped checkpoint reaches mAP@0.5 0.733 on the 150 embedded images
    min_primary_metric=0.7,
    backends=dict(pytorch=dict(device="cpu"), onnx=dict(device="cpu"), tensorrt=dict(device="cuda")),
)

logging = dict(progress=False)

project = dict(
    model_config="projects/yolox/configs/yolox_pico_shapes.py",
    iou_thresholds="0.5",
    cpu_threads=1,  # small model: one thread is fast and immune to spin-waits on a busy machine
    nms=dict(append=["onnx", "tensorrt"], onnx_in_graph=False, max_output_boxes=100),
)
