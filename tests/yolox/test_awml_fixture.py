"""A checkout in AWML's shape (written here, by our code) deploys end to end.

The tree: ``autoware_ml/configs/...`` (a dataset base file with top-level ``classes``), ``autoware_ml/detection2d/
datasets`` that fails to import (as AWML's branch does: a missing module), ``projects/TinyYOLOX/yolox/models``
(a namespace package registering a backbone), a model config with custom_imports, no head strides and a
T4Dataset test dataloader, T4-shaped 2D infos from ``projects/yolox/t4_2d.py`` under the config's ``data_root``,
and a training checkpoint with mmengine's meta (numpy scalars).
"""

import json
import sys

import numpy as np
import onnx
import pytest
import torch
from conftest import CHECKPOINT

from awml_deploy.cli.main import main
from projects.yolox.t4_2d import write_t4_2d_dataset

MODELS_INIT = '''from mmdet.models.backbones import CSPDarknet
from mmdet.registry import MODELS


@MODELS.register_module(force=True)
class TinyT4Darknet(CSPDarknet):
    """CSPDarknet under a project name (same parameters)."""
'''
DATASET_BASE = """classes = ("circle", "rectangle", "triangle")
dataset_version_list = ["db_synthetic_v1"]
"""
MODEL_CONFIG = """_base_ = ["../../../../autoware_ml/configs/detection2d/dataset/t4dataset/t4dataset_shapes.py"]

custom_imports = dict(
    imports=["projects.TinyT4.yolox.models", "autoware_ml.detection2d.datasets"], allow_failed_imports=False
)
IMG_SCALE = (192, 192)
model = dict(
    type="YOLOX",
    data_preprocessor=dict(
        type="DetDataPreprocessor",
        pad_size_divisor=32,
        batch_augments=[dict(type="BatchSyncRandomResize", random_size_range=(160, 224), size_divisor=32, interval=10)],
    ),
    backbone=dict(type="{backbone}", deepen_factor=0.33, widen_factor=0.125, out_indices=(2, 3, 4),
                  norm_cfg=dict(type="BN", momentum=0.03, eps=0.001), act_cfg=dict(type="Swish")),
    neck=dict(type="YOLOXPAFPN", in_channels=[32, 64, 128], out_channels=32, num_csp_blocks=1,
              norm_cfg=dict(type="BN", momentum=0.03, eps=0.001), act_cfg=dict(type="Swish")),
    bbox_head=dict(type="YOLOXHead", num_classes=3, in_channels=32, feat_channels=32, stacked_convs=2,
                   norm_cfg=dict(type="BN", momentum=0.03, eps=0.001), act_cfg=dict(type="Swish")),
    train_cfg=dict(assigner=dict(type="SimOTAAssigner", center_radius=2.5)),
    test_cfg=dict(score_thr=0.01, nms=dict(type="nms", iou_threshold=0.65)),
)
data_root = "{data_root}"
backend_args = None
test_pipeline = [
    dict(type="LoadImageFromFile", backend_args=backend_args),
    dict(type="Resize", scale=IMG_SCALE, keep_ratio=True),
    dict(type="Pad", pad_to_square=True, pad_val=dict(img=(114.0, 114.0, 114.0))),
    dict(type="LoadAnnotations", with_bbox=True),
    dict(type="PackDetInputs", meta_keys=("img_id", "img_path", "ori_shape", "img_shape", "scale_factor")),
]
test_dataloader = dict(
    batch_size=4,
    dataset=dict(type="T4Dataset", data_root=data_root, ann_file="info/yolox_infos_val.json", test_mode=True,
                 pipeline=test_pipeline, backend_args=backend_args),
)
"""
DEPLOY_CONFIG = """_base_ = ["{default}"]
checkpoint_path = "{checkpoint}"
export = dict(mode="onnx", work_dir="{work}")
runtime_io = dict(info_file="info/yolox_infos_val.json")
verification = dict(num_verify_samples=2)
project = dict(model_config="{model_config}", cpu_threads=1)
"""


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def awml_tree(tmp_path_factory):
    """The AWML-shaped checkout, data and checkpoint; sys.path and the projects package path restored after."""
    import projects

    saved_path, saved_projects = list(sys.path), list(projects.__path__)
    root = tmp_path_factory.mktemp("awml")
    _write(root / "autoware_ml" / "__init__.py", "")
    _write(root / "autoware_ml" / "detection2d" / "__init__.py", "")
    _write(root / "autoware_ml" / "detection2d" / "datasets" / "__init__.py", "from .bdd100k import BDD100kDataset\n")
    _write(
        root / "autoware_ml" / "configs" / "detection2d" / "dataset" / "t4dataset" / "t4dataset_shapes.py", DATASET_BASE
    )
    _write(root / "projects" / "TinyT4" / "yolox" / "models" / "__init__.py", MODELS_INIT)
    data = root / "data" / "t4dataset"
    write_t4_2d_dataset(data, count=12, seed=21, relative=True)
    state = torch.load(str(CHECKPOINT), map_location="cpu", weights_only=True)
    meta = {"epoch": 300, "seed": np.int64(7), "message_hub": {"runtime_info": {"iter": np.int64(900)}}}
    checkpoint = root / "work_dirs" / "epoch_300.pth"
    checkpoint.parent.mkdir()
    torch.save(
        {"meta": meta, "state_dict": state, "optimizer": {"param_groups": [{"lr": np.float64(1e-3)}]}}, checkpoint
    )
    yield root, data, checkpoint
    sys.path[:] = saved_path
    projects.__path__[:] = saved_projects


def _model_config(root, data, backbone):
    folder = root / "projects" / "TinyT4" / "configs" / "t4dataset"
    return _write(folder / f"tiny_{backbone}.py", MODEL_CONFIG.format(backbone=backbone, data_root=data))


def _deploy_config(root, work, model_config, checkpoint):
    from conftest import REPO

    default = REPO / "projects" / "yolox" / "configs" / "deploy_default.py"
    text = DEPLOY_CONFIG.format(default=default, checkpoint=checkpoint, work=work, model_config=model_config)
    return _write(root / f"deploy_{work.name}.py", text)


def test_awml_shaped_checkout_deploys_end_to_end(awml_tree, tmp_path, capsys, caplog):
    root, data, checkpoint = awml_tree
    model_config = _model_config(root, data, "TinyT4Darknet")
    work = tmp_path / "work"
    code = main(["yolox", str(_deploy_config(root, work, model_config, checkpoint))])
    err = capsys.readouterr().err
    assert code == 0, err[-2000:]
    skipped = [r.getMessage() for r in caplog.records if "custom_imports | skipped" in r.getMessage()]
    assert len(skipped) == 1 and "autoware_ml.detection2d.datasets (ModuleNotFoundError" in skipped[0]
    graph = onnx.load(str(work / "onnx" / "yolox.onnx"))
    dims = [d.dim_value or d.dim_param for d in graph.graph.output[0].type.tensor_type.shape.dim]
    assert dims == ["batch", 24 * 24 + 12 * 12 + 6 * 6, 4 + 1 + 3]
    report = json.loads(next((work / "runs").glob("*/report.json")).read_text())
    infos = json.loads((data / "info" / "yolox_infos_val.json").read_text())
    per_label = report["evaluation"]["onnx"]["metrics"]["modes"]["iou_2d"]["per_label"]
    assert sum(r["num_gt"] for r in per_label.values()) == sum(len(e["instances"]) for e in infos["data_list"])
    assert report["evaluation"]["onnx"]["primary_metric"]["value"] > 0.5  # the trained weights on shapes


def test_a_failed_custom_import_the_model_needs_is_one_line(awml_tree, tmp_path, capsys):
    root, data, checkpoint = awml_tree
    model_config = _model_config(root, data, "NeverRegisteredDarknet")
    work = tmp_path / "work"
    code = main(["yolox", str(_deploy_config(root, work, model_config, checkpoint))])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("awml-deploy: error: ")]
    assert code == 2 and len(errors) == 1
    assert "model.backbone.type | not a registered model type" in errors[0]
    assert "'NeverRegisteredDarknet'" in errors[0]
    assert not work.exists()
