"""Writes AWML-shaped CalibrationStatusClassification inputs from our own synthetic data (nothing copied from AWML).

    PYTHONPATH=python:. python3 projects/calibration_status/tools/generate_awml_fixture.py --out /tmp/awml_calib

Writes into ``--out``:

- ``model_config.py``: an mmpretrain ``ImageClassifier`` model dict in AWML's shape (ResNet with 5 input channels,
  ``base_channels`` of the embedded default, GlobalAveragePooling, LinearClsHead), top-level ``classes`` and a
  ``test_pipeline`` with a ``CalibrationClassificationTransform`` step;
- ``deploy_settings.py``: AWML's deploy-settings shape (``onnx_config`` with dynamic batch/height/width,
  ``backend_config.model_inputs`` with a TensorRT profile);
- ``infos.pkl`` + ``images/*.png`` + ``lidar/*.bin``: calibration infos in the shape AWML's
  ``create_data_t4dataset.py`` writes (``data_list`` of ``image``/``lidar_points`` dicts), one per camera view of the
  first ``--scenes`` scenes of the embedded evaluation set, with the true calibration.
"""

from __future__ import annotations

import argparse
import pathlib
import pickle
import sys

_ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(_ROOT), str(_ROOT / "python")]

import numpy as np  # noqa: E402

from projects.calibration_status.dataset import CalibrationSamples  # noqa: E402
from projects.calibration_status.model import ModelSettings  # noqa: E402
from projects.calibration_status.runner import DEFAULT_EVAL_SET  # noqa: E402

MODEL_CONFIG = """# AWML-shaped model config written by generate_awml_fixture.py (mmpretrain ImageClassifier, 5 channels).
classes = ("miscalibrated", "calibrated")
max_depth = {max_depth}
model = dict(
    type="mmpretrain.ImageClassifier",
    backbone=dict(type="ResNet", depth=18, in_channels=5, base_channels={base}, num_stages=4, out_indices=(3,),
                  frozen_stages=-1, style="pytorch", norm_cfg=dict(type="BN", requires_grad=True)),
    neck=dict(type="GlobalAveragePooling"),
    head=dict(type="LinearClsHead", num_classes=2, in_channels={head_in},
              loss=dict(type="LabelSmoothLoss", loss_weight=1.0, label_smooth_val=0.1, reduction="mean"), topk=(1,)),
)
data_preprocessor = dict()
test_pipeline = [
    dict(type="CalibrationClassificationTransform", mode="test", max_depth=max_depth, dilation_size=1, undistort=True,
         miscalibration_probability=0.5, enable_augmentation=False,
         transform_config=dict(crop_ratio=0.6, max_distortion=0.001, rgb_weight=0.3)),
    dict(type="PackInputs", input_key="fused_img"),
]
"""

DEPLOY_SETTINGS = """# AWML-shaped deploy settings written by generate_awml_fixture.py (dynamic batch, height and width).
codebase_config = dict(type="mmpretrain", task="Classification", model_type="end2end")
backend_config = dict(
    type="tensorrt",
    common_config=dict(max_workspace_size=1 << 30),
    model_inputs=[dict(input_shapes=dict(input=dict(
        min_shape=[1, 5, 64, 96], opt_shape=[1, 5, 96, 160], max_shape=[1, 5, 192, 320])))],
)
onnx_config = dict(
    type="onnx", export_params=True, keep_initializers_as_inputs=False, opset_version=16, do_constant_folding=True,
    save_file="end2end.onnx", input_names=["input"], output_names=["output"],
    dynamic_axes={"input": {0: "batch_size", 2: "height", 3: "width"}, "output": {0: "batch_size"}},
    input_shape=None,
)
"""


def write_infos(out: pathlib.Path, scenes: int) -> int:
    """Images, point files and ``infos.pkl`` for the calibrated views of the first ``scenes`` scenes."""
    import cv2

    samples = CalibrationSamples(DEFAULT_EVAL_SET)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "lidar").mkdir(parents=True, exist_ok=True)
    infos = []
    for scene in range(scenes):
        for camera in samples.cameras:
            view = samples.view(scene, camera)
            image_path = f"images/{scene:03d}_{camera}.png"
            lidar_path = f"lidar/{scene:03d}.bin"
            cv2.imwrite(str(out / image_path), np.ascontiguousarray(view.image[..., ::-1]))
            points = np.zeros((len(view.points), 5), np.float32)
            points[:, :4] = view.points[:, :4]
            points.tofile(out / lidar_path)
            image = {
                "img_path": image_path,
                "cam2img": view.camera.intrinsics.tolist(),
                "lidar2cam": view.camera.extrinsics.tolist(),
                "distortion_coefficients": [0.0] * 5,
                "height": view.camera.height,
                "width": view.camera.width,
                "timestamp": 100_000 * len(infos),
            }
            lidar = {"lidar_path": lidar_path, "num_pts_feats": 5, "timestamp": 100_000 * len(infos)}
            infos.append(
                {"frame_idx": f"{scene:05d}", "frame_id": camera, "image": image, "lidar_points": lidar,
                 "sample_idx": len(infos), "scene_id": f"synthetic_{scene:03d}"}
            )  # fmt: skip
    with (out / "infos.pkl").open("wb") as handle:
        pickle.dump({"metainfo": {"version": "synthetic"}, "data_list": infos}, handle)
    return len(infos)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="folder to write")
    parser.add_argument("--scenes", type=int, default=2, help="scenes of the embedded evaluation set to use")
    parser.add_argument("--max-depth", type=float, default=60.0)
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = ModelSettings().base_channels
    text = MODEL_CONFIG.format(max_depth=args.max_depth, base=base, head_in=8 * base)
    (out / "model_config.py").write_text(text, encoding="utf-8")
    (out / "deploy_settings.py").write_text(DEPLOY_SETTINGS, encoding="utf-8")
    count = write_infos(out, args.scenes)
    print(f"wrote {out}: model_config.py, deploy_settings.py, infos.pkl ({count} infos)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
