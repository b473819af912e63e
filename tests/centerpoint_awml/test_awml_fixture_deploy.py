"""End to end in AWML's shape: `awml-deploy centerpoint <deploy_cfg> <model_cfg> --awml-root <fixture>` on fixtures
written for these tests (a namespace package projects/TinyCenterPoint registering a custom neck, custom_imports
with a module that fails to import, top-level classes, a test pipeline with sweeps, a T4MetricV2 evaluator, a
deploy config using every AWML reference key), a T4-shaped dataset from datasets.t4_dataset and a random-weight
checkpoint in mmengine's checkpoint layout."""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")

from awml_deploy.awml import custom_imports  # noqa: E402
from awml_deploy.cli.main import main  # noqa: E402
from awml_deploy.datasets import t4_dataset  # noqa: E402

HERE = pathlib.Path(__file__).parent
ROOT = HERE / "fixtures/awml_root"
DEPLOY_CFG = ROOT / "projects/TinyCenterPoint/configs/deploy_config.py"
MODEL_CFG = ROOT / "projects/TinyCenterPoint/configs/tiny_centerpoint_t4.py"
FAST = ["project.cpu_threads=1", "project.bev_picture=False", "evaluation.warmup=0"]


def write_checkpoint(path: pathlib.Path) -> None:
    """Random weights in mmengine's training-checkpoint layout: meta with numpy scalars, state_dict, optimizer and a
    message_hub holding mmengine HistoryBuffers (what mmengine's Runner writes; loaded weights-only)."""
    import mmdet3d.models  # noqa: F401
    import projects.TinyCenterPoint.models  # noqa: F401 - the fixture's custom neck
    import torch
    from mmdet3d.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet3d")
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(str(MODEL_CFG), import_custom_modules=False).model)
    model.init_weights()  # the heatmap's init_bias, as training starts from
    for module in model.modules():  # non-trivial BN statistics, as a trained model has
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.running_mean.uniform_(-0.1, 0.1)
            module.running_var.uniform_(0.5, 1.5)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    import numpy as np
    from mmengine.logging import MessageHub

    hub = MessageHub.get_instance("awml_fixture_checkpoint")
    hub.update_scalar("train/loss", 1.25)
    hub.update_scalar("train/lr", np.float64(1e-4))
    meta = {
        "epoch": 3,
        "iter": 120,
        "seed": np.int64(0),
        "mmengine_version": "0.10.7",
        "dataset_meta": {"classes": ["car"]},
    }
    checkpoint = {"meta": meta, "state_dict": model.state_dict(), "optimizer": optimizer.state_dict()}
    torch.save({**checkpoint, "message_hub": hub.state_dict()}, path)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    work = tmp_path_factory.mktemp("awml_shape")
    import logging

    saved_path, saved_cwd = list(sys.path), pathlib.Path.cwd()
    custom_imports._REPORTED.clear()
    records: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("awml_deploy").addHandler(handler)
    try:
        import os

        os.chdir(work)  # AWML resolves data_root (and runtime_io.info_file under it) from the current directory
        t4_dataset.write_t4_dataset("data/t4dataset_tiny", num_frames=3, info_name="info/t4dataset_tiny_infos_test.pkl")
        sys.path.append(str(ROOT))
        write_checkpoint(work / "epoch_3.pth")
        argv = [
            "centerpoint",
            str(DEPLOY_CFG),
            str(MODEL_CFG),
            "--awml-root",
            str(ROOT),
            "--checkpoint",
            str(work / "epoch_3.pth"),
            "--mode",
            "onnx",
            "--work-dir",
            str(work / "wd"),
            "--cfg-options",
            *FAST,
        ]
        code = main(argv)
    finally:
        logging.getLogger("awml_deploy").removeHandler(handler)
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
    return code, work, records


def _report(work: pathlib.Path) -> dict:
    (path,) = sorted((work / "wd").glob("runs/*/report.json"))[-1:]
    return json.loads(path.read_text())


def test_awml_shaped_deploy_passes(deployed, capfd) -> None:
    code, work, _ = deployed
    assert code == 0
    report = _report(work)
    gates = {g["name"]: g["status"] for g in report["gates"]}
    assert all(status == "passed" for name, status in gates.items() if "tensorrt" not in name), gates
    assert gates["verification.pytorch_cpu_vs_onnx_cpu"] == "passed"
    assert report["verification"]["pytorch_cpu_vs_onnx_cpu"]["status"] == "passed"
    assert report["evaluation"]["onnx"]["status"] == "passed"
    assert report["evaluation"]["onnx"]["num_samples"] == 2  # evaluation.num_samples of the AWML-shaped config


def test_awml_shaped_onnx_has_five_point_features(deployed) -> None:
    _, work, _ = deployed
    encoder = onnx.load(str(work / "wd/onnx/pts_voxel_encoder.onnx"))
    dims = [d.dim_value or d.dim_param for d in encoder.graph.input[0].type.tensor_type.shape.dim]
    assert dims[1:] == [32, 11]  # (x, y, z, intensity, time lag) + 3 cluster + 3 voxel-centre offsets


def test_metric_settings_come_from_t4metricv2(deployed) -> None:
    _, work, _ = deployed
    report = _report(work)
    source = report["evaluation"]["metric_settings"]["reason"]
    assert source.endswith("tiny_centerpoint_t4.py: test_evaluator.perception_evaluator_configs.evaluation_config_dict")
    metrics = report["evaluation"]["onnx"]["metrics"]
    assert sorted(metrics["modes"]) == ["center_distance_bev", "plane_distance"]  # iou_2d_thresholds=None: not run
    assert list(metrics["distance_buckets"]) == ["[0.0, 20.0)", "[20.0, 40.0)", "[0.0, 40.0)"]  # min/max_distance
    assert metrics["modes"]["plane_distance"]["per_label"]["car"]["thresholds"] == [2.0, 4.0]
    md = next((work / "wd").glob("runs/*/report.md")).read_text()
    assert "test_evaluator.perception_evaluator_configs" in md


def test_notices_are_one_line_each(deployed) -> None:
    _, _, records = deployed
    skipped = [r for r in records if "custom_imports | skipped" in r]
    assert len(skipped) == 1 and "projects.TinyCenterPoint.datasets" in skipped[0]  # once, though loaded twice
    assert any(r.startswith("verification.devices | accepted and ignored") for r in records)
    assert all("\n" not in r for r in records)
