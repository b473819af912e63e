# awml-deploy config of the CenterPoint embedded default: `bazel run //projects/centerpoint:deploy`.
# Paths are relative to the repository root. Component shapes and TensorRT profiles are derived from the model
# config (grid, feature count, max pillars) by projects/centerpoint/export.py; only Autoware's tensor names and
# file names are declared here.

checkpoint_path = "projects/centerpoint/assets/centerpoint_tiny_synthetic.pth"

export = dict(mode="both", work_dir="work_dirs/centerpoint")

components = dict(
    pts_voxel_encoder=dict(
        onnx_file="pts_voxel_encoder.onnx",
        engine_file="pts_voxel_encoder.engine",
        io=dict(inputs=["input_features"], outputs=["pillar_features"]),
    ),
    pts_backbone_neck_head=dict(
        onnx_file="pts_backbone_neck_head.onnx",
        engine_file="pts_backbone_neck_head.engine",
        io=dict(inputs=["spatial_features"], outputs=["heatmap", "reg", "height", "dim", "rot", "vel"]),
    ),
)

runtime_io = dict(info_file=None, sample_idx=0)

onnx_config = dict(opset_version=17, dynamo=False, do_constant_folding=True)

tensorrt_config = dict(precision_policy="auto")

# The framework's scenarios plus `onnx vs runtime`: the C++ CenterPointRuntime (the code a ROS node links) on the
# same ONNX files, compared on the head tensors and the decoded boxes; it needs no TensorRT.
_torch_onnx = dict(ref_backend="pytorch", ref_device="cpu", test_backend="onnx", test_device="cpu")
_onnx_runtime = dict(ref_backend="onnx", ref_device="cpu", test_backend="runtime", test_device="cpu")
_onnx_trt = dict(ref_backend="onnx", ref_device="cuda", test_backend="tensorrt", test_device="cuda")

verification = dict(
    enabled=True,
    num_verify_samples=3,
    tolerances=dict(fp32=dict(atol=1e-4, rtol=1e-3), fp16=dict(atol=2e-2, rtol=2e-2)),
    scenarios=dict(
        onnx=[_torch_onnx, _onnx_runtime],
        both=[_torch_onnx, _onnx_runtime, _onnx_trt],
        trt=[_onnx_trt],
        none=[_torch_onnx, _onnx_runtime],
    ),
)

evaluation = dict(
    enabled=True,
    num_samples=-1,
    warmup=1,
    backends=dict(pytorch=dict(device="cpu"), onnx=dict(device="cpu"), tensorrt=dict(device="cuda")),
    max_primary_metric_delta=0.001,
    # quality floor: the shipped checkpoint reaches mAP 0.644 on the 100 embedded frames
    min_primary_metric=0.62,
)

logging = dict(level="INFO", progress=True)

project = dict(
    model_config="projects/centerpoint/configs/centerpoint_tiny_synthetic.py",
    trust_checkpoint=False,
    num_frames=100,  # the first 100 of the 300 embedded evaluation scenes (time budget: < 3 min on 2 cores)
    scene_set="projects/centerpoint/assets/eval_scenes.json",
    rot_y_axis_reference=False,
    single_graph=True,
    bev_picture=True,
    metrics=dict(
        thresholds=dict(center_distance_bev=[0.5, 1.0, 2.0, 4.0], plane_distance=[2.0, 4.0], iou_bev=[0.5]),
        range_filter=dict(max_abs_x=44.8, max_abs_y=44.8),
        distance_buckets=[[0.0, 15.0], [15.0, 30.0], [30.0, 64.0]],
    ),
    # One thread each: on a small shared CPU, torch's OpenMP threads otherwise spin against each other (10x slower).
    cpu_threads=1,
    box_tolerances=dict(center=1e-3, size=1e-3, yaw=1e-3, score=1e-3, match_radius=0.5),
)
