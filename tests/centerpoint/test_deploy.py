"""The centerpoint bundle's deploy entry (`bazel run //projects/centerpoint:deploy`) end to end through the framework CLI (a few frames), and the bad inputs that
must each stop with one clear line and exit code 2: a broken checkpoint, an ONNX without a head output, a point
cloud file of the wrong width."""

from __future__ import annotations

import json
import pathlib
import shutil

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")

from awml_deploy.cli import bundle  # noqa: E402
from awml_deploy.datasets import info_pkl  # noqa: E402


def _deploy(argv: list[str]) -> int:
    """What `bazel run //projects/centerpoint:deploy -- <argv>` runs."""
    return bundle.main("centerpoint", "projects.centerpoint.runner", argv)


FAST = ["project.num_frames=3", "verification.num_verify_samples=2", "evaluation.warmup=0", "project.cpu_threads=1"]


def _report(work_dir: pathlib.Path) -> dict:
    (path,) = sorted(work_dir.glob("runs/*/report.json"))[-1:]
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("deploy")
    code = _deploy(["--work-dir", str(work_dir), "--cfg-options", *FAST])
    return code, work_dir


def test_default_deploy_passes_with_report(default_run, capsys) -> None:
    code, work_dir = default_run
    assert code == 0
    report = _report(work_dir)
    gates = {g["name"]: g for g in report["gates"]}
    assert gates["export.onnx"]["status"] == "passed"
    assert gates["verification.pytorch_cpu_vs_onnx_cpu"]["status"] == "passed"
    assert gates["verification.onnx_cpu_vs_runtime_cpu"]["status"] == "passed"
    runtime = report["verification"]["onnx_cpu_vs_runtime_cpu"]
    assert {"heatmap", "rot", "boxes.matching", "boxes.center", "boxes.yaw"} <= set(runtime["summary"])
    assert gates["evaluation.delta.onnx"]["status"] == "passed"
    for name in ("export.tensorrt", "evaluation.tensorrt"):
        assert gates[name]["status"] == "skipped" and "TensorRT not installed" in gates[name]["reason"]
    scenario = report["verification"]["pytorch_cpu_vs_onnx_cpu"]
    assert {"heatmap", "vel", "boxes.matching", "boxes.center", "boxes.yaw"} <= set(scenario["summary"])
    evaluation = report["evaluation"]
    py, ox = evaluation["pytorch"], evaluation["onnx"]
    assert py["num_samples"] == ox["num_samples"] == 3
    assert py["primary_metric"]["name"] == "map_center_distance_bev"
    assert 0.0 < py["primary_metric"]["value"] <= 1.0
    assert abs(ox["primary_metric"]["value"] - py["primary_metric"]["value"]) <= 0.001
    modes = ox["metrics"]["modes"]
    assert set(modes) == {"center_distance_bev", "plane_distance", "iou_bev"}
    assert set(modes["center_distance_bev"]["per_label"]) == {"car", "truck", "bus", "bicycle", "pedestrian"}
    assert modes["center_distance_bev"]["maph"] is not None
    assert len(ox["metrics"]["distance_buckets"]) == 3
    assert set(ox["latency"]) >= {"preprocess_ms", "model_ms", "postprocess_ms", "total_ms"}
    run_dir = pathlib.Path(report["run_dir"])
    assert (run_dir / "bev_frame0.png").stat().st_size > 10_000
    md = (run_dir / "report.md").read_text()
    assert "![BEV of frame 0](bev_frame0.png)" in md
    for picture in ("pr_curves.png", "box_errors.png"):
        assert (run_dir / picture).stat().st_size > 10_000 and f"({picture})" in md
    assert "metric_settings: from — the synthetic demo's defaults" in md  # the tiny config has no T4MetricV2
    onnx_dir = work_dir / "onnx"
    for name in ("pts_voxel_encoder.onnx", "pts_backbone_neck_head.onnx", "centerpoint_single.onnx"):
        assert (onnx_dir / name).is_file()
    assert "CAR" in (onnx_dir / "centerpoint_ml_package.param.yaml").read_text()


def test_broken_checkpoint_exits_2(tmp_path, capsys) -> None:
    bad = tmp_path / "broken.pth"
    bad.write_bytes(b"PK\x03\x04 this is not a checkpoint" * 10)
    code = _deploy(["--work-dir", str(tmp_path / "wd"), "--checkpoint", str(bad), "--cfg-options", *FAST])
    err = capsys.readouterr().err
    assert code == 2
    assert f"checkpoint {bad} | cannot be loaded weights-only" in err
    assert "project.trust_checkpoint=True" in err


def test_onnx_without_a_head_output_exits_2(default_run, tmp_path, capsys) -> None:
    _, work_dir = default_run
    broken = tmp_path / "onnx"
    broken.mkdir()
    shutil.copy(work_dir / "onnx" / "pts_voxel_encoder.onnx", broken)
    head = onnx.load(str(work_dir / "onnx" / "pts_backbone_neck_head.onnx"))
    kept = [o for o in head.graph.output if o.name != "vel"]
    del head.graph.output[:]
    head.graph.output.extend(kept)
    onnx.save(head, str(broken / "pts_backbone_neck_head.onnx"))
    options = [*FAST, f"evaluation.backends.onnx.artifact={broken}"]
    code = _deploy(["--work-dir", str(tmp_path / "wd"), "--mode", "none", "--cfg-options", *options])
    err = capsys.readouterr().err
    assert code == 2
    assert "pts_backbone_neck_head does not have Autoware's tensors (missing ['vel'])" in err


@pytest.mark.parametrize(
    ("suffix", "width", "declared", "message"),
    [
        (".bin", 5, 4, "35 float32 values are not a multiple of load_dim = 4"),
        (".npy", 5, 4, "wrong point width. Note: expected shape (N, 4) (load_dim of the test pipeline)"),
        (".bin", 3, 3, "21 float32 values are not a multiple of load_dim = 4"),
    ],
)
def test_point_file_of_wrong_width_exits_2(tmp_path, capsys, suffix, width, declared, message) -> None:
    points = np.random.default_rng(0).uniform(-10, 10, size=(7, width)).astype(np.float32)
    path = tmp_path / f"000000{suffix}"
    np.save(path, points) if suffix == ".npy" else points.tofile(path)
    entry = info_pkl.make_info_entry(0, path.name, np.zeros((0, 7)), np.zeros(0), num_pts_feats=declared)
    info_pkl.write_info_pkl(str(tmp_path / "infos.pkl"), [entry], ["car", "truck", "bus", "bicycle", "pedestrian"])
    options = [*FAST, f"runtime_io.info_file={tmp_path / 'infos.pkl'}"]
    code = _deploy(["--work-dir", str(tmp_path / "wd"), "--cfg-options", *options])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err


def test_full_pickle_checkpoint_needs_trust(tmp_path) -> None:
    import argparse

    import torch

    from awml_deploy.core.errors import DeployError
    from projects.centerpoint.model import read_state_dict

    path = tmp_path / "mmengine_style.pth"
    torch.save({"state_dict": {"w": torch.ones(2)}, "meta": {"args": argparse.Namespace(lr=0.1)}}, path)
    with pytest.raises(DeployError, match="cannot be loaded weights-only") as info:
        read_state_dict(str(path))
    assert info.value.exit_code == 2
    state = read_state_dict(str(path), trusted=True)
    assert list(state) == ["w"] and torch.equal(state["w"], torch.ones(2))
    with pytest.raises(DeployError, match="checkpoint_path | checkpoint not found"):
        read_state_dict(str(tmp_path / "missing.pth"))


def test_onnx_vs_runtime_fails_with_a_perturbed_onnx(default_run, tmp_path) -> None:
    """The runtime on an ONNX whose heatmap bias moved by 0.5 fails `onnx vs runtime` (heads and boxes)."""
    from onnx import numpy_helper

    _, work_dir = default_run
    perturbed = tmp_path / "onnx"
    perturbed.mkdir()
    shutil.copy(work_dir / "onnx" / "pts_voxel_encoder.onnx", perturbed)
    head = onnx.load(str(work_dir / "onnx" / "pts_backbone_neck_head.onnx"))
    (node,) = [n for n in head.graph.node if "heatmap" in n.output]
    (bias,) = [i for i in head.graph.initializer if i.name == node.input[2]]
    bias.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(bias) + np.float32(0.5), bias.name))
    onnx.save(head, str(perturbed / "pts_backbone_neck_head.onnx"))
    options = [
        *FAST,
        f"evaluation.backends.onnx.artifact={work_dir / 'onnx'}",
        f"evaluation.backends.runtime.artifact={perturbed}",
        "evaluation.enabled=false",
    ]
    code = _deploy(["--work-dir", str(tmp_path / "wd"), "--mode", "none", "--cfg-options", *options])
    report = _report(tmp_path / "wd")
    gates = {g["name"]: g for g in report["gates"]}
    assert code == 1
    assert gates["verification.pytorch_cpu_vs_onnx_cpu"]["status"] == "passed"
    gate = gates["verification.onnx_cpu_vs_runtime_cpu"]
    assert gate["status"] == "failed" and "heatmap" in gate["reason"]
    summary = report["verification"]["onnx_cpu_vs_runtime_cpu"]["summary"]
    assert not summary["heatmap"]["passed"]
    assert any(not row["passed"] for path, row in summary.items() if path.startswith("boxes."))
