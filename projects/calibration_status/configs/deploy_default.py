# Deploy config of the CalibrationStatusClassification embedded default: the small ResNet-18 (5 input channels,
# base width 16) trained on synthetic camera–LiDAR pairs, exported to one ONNX graph with a dynamic batch,
# verified against PyTorch (logits + predicted-class agreement) and evaluated on the committed evaluation set.
# Paths are relative to this file ({{ fileDirname }} is expanded by mmengine's Config.fromfile).

checkpoint_path = "{{ fileDirname }}/../assets/calibration_status_r18w16.pth"

export = dict(mode="both", work_dir="work_dirs/calibration_status")

components = dict(
    model=dict(
        onnx_file="calibration_status_r18w16.onnx",
        engine_file="calibration_status_r18w16.engine",
        io=dict(
            inputs=[dict(name="input", dtype="float32", shape=[-1, 5, 96, 160])],
            outputs=[dict(name="logits", dtype="float32", shape=[-1, 2])],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        ),
        tensorrt_profile=dict(
            input=dict(min_shape=[1, 5, 96, 160], opt_shape=[1, 5, 96, 160], max_shape=[8, 5, 96, 160]),
        ),
    )
)

runtime_io = dict(info_file="{{ fileDirname }}/../assets/eval_set.json", sample_idx=0)

onnx_config = dict(opset_version=17, dynamo=False)

# INT8 is not offered: the framework's precision policies are auto | fp16 | fp32_tf32 | strongly_typed.
tensorrt_config = dict(precision_policy="fp16")

verification = dict(
    enabled=True,
    num_verify_samples=16,
    # Logits are O(1-10): fp32 needs no looser tolerance than the default; fp16 TensorRT gets 5e-2.
    tolerances=dict(fp32=dict(atol=1e-4, rtol=1e-3), fp16=dict(atol=5e-2, rtol=5e-2)),
)

evaluation = dict(
    enabled=True,
    num_samples=-1,
    warmup=2,
    backends=dict(pytorch=dict(device="cpu"), onnx=dict(device="cpu"), tensorrt=dict(device="cuda")),
    max_primary_metric_delta=0.02,
    # quality floor: the shipped checkpoint classifies every embedded sample correctly (accuracy 1.0)
    min_primary_metric=0.95,
)

logging = dict(level="INFO", progress=False)

project = dict(
    preprocess=dict(height=96, width=160, mean=[128.0, 128.0, 128.0], std=[64.0, 64.0, 64.0], max_depth=60.0),
    model=dict(depth=18, in_channels=5, base_channels=16, num_classes=2),
    min_class_agreement=1.0,
)
