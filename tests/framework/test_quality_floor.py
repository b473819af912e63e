"""Quality floors: `evaluation.min_primary_metric` fails a backend's `evaluation.<backend>` gate (exit 1, one line)
below it. Each bundle's embedded default sets its floor just under what its shipped checkpoint reaches; here every
bundle deploys its shipped checkpoint (passes) and a degraded copy of it (fails), on a few samples."""

from __future__ import annotations

import json
import pathlib

import pytest

from awml_deploy.cli import bundle
from awml_deploy.runtime import register_project

ROOT = pathlib.Path(__file__).absolute().parents[2]
FLOOR_REASON = "< evaluation.min_primary_metric"
# Only the PyTorch backend is evaluated (no export): the floor is a property of the evaluation gate of any backend.
PYTORCH_ONLY = [
    "verification.enabled=false",
    "evaluation.warmup=0",
    "evaluation.backends.onnx.enabled=false",
    "evaluation.backends.tensorrt.enabled=false",
]
# project -> (shipped checkpoint, modules the bundle needs, sample limits that keep the run short)
BUNDLES = {
    "centerpoint": (
        "projects/centerpoint/assets/centerpoint_tiny_synthetic.pth",
        ("torch", "mmdet3d"),
        ["evaluation.num_samples=3", "project.num_frames=3", "project.cpu_threads=1"],
    ),
    "yolox": (
        "projects/yolox/assets/yolox_pico_shapes.pth",
        ("torch", "mmdet"),
        ["evaluation.num_samples=30", "project.num_images=30"],
    ),
    "calibration_status": (
        "projects/calibration_status/assets/calibration_status_r18w16.pth",
        ("torch", "mmdet"),
        ["evaluation.num_samples=16", "project.eval_limit=16"],
    ),
    "lidar_segmentation": (
        "projects/lidar_segmentation/assets/lidar_segmentation_range_w16.pth",
        ("torch",),
        ["evaluation.num_samples=4", "project.eval_limit=4"],
    ),
}


def degrade(source: pathlib.Path, target: pathlib.Path, seed: int = 0) -> None:
    """Writes ``source`` with every weight matrix/kernel (ndim >= 2) shuffled: same values, no learned structure.

    Norm statistics and biases are kept, so the network still runs with sane activations.
    """
    import torch

    state = torch.load(source, map_location="cpu", weights_only=True)
    generator = torch.Generator().manual_seed(seed)
    for key, value in state.items():
        if torch.is_tensor(value) and value.is_floating_point() and value.ndim >= 2:
            flat = value.flatten()
            state[key] = flat[torch.randperm(flat.numel(), generator=generator)].reshape(value.shape)
    torch.save(state, target)


def _deploy(project: str, checkpoint: pathlib.Path, work_dir: pathlib.Path, options: list[str]) -> tuple[int, dict]:
    argv = ["--mode", "none", "--checkpoint", str(checkpoint), "--work-dir", str(work_dir)]
    code = bundle.main(project, f"projects.{project}.runner", [*argv, "--cfg-options", *PYTORCH_ONLY, *options])
    (report,) = (work_dir / "runs").glob("*/report.json")
    return code, json.loads(report.read_text())


@pytest.mark.parametrize("project", sorted(BUNDLES))
def test_shipped_checkpoint_passes_its_floor_and_a_degraded_one_fails_it(project, tmp_path, capsys) -> None:
    shipped, modules, limits = BUNDLES[project]
    for module in modules:
        pytest.importorskip(module)
    register_project(project, f"projects.{project}.runner")

    code, report = _deploy(project, ROOT / shipped, tmp_path / "shipped", limits)
    floor = report["config"]["evaluation"]["min_primary_metric"]
    assert isinstance(floor, float) and 0.0 < floor <= 1.0, "the embedded default must set a floor"
    evaluation = report["evaluation"]["pytorch"]
    assert code == 0, (evaluation, capsys.readouterr().out)
    shipped_value = evaluation["primary_metric"]["value"]
    assert shipped_value >= floor

    degraded = tmp_path / "degraded.pth"
    degrade(ROOT / shipped, degraded)
    code, report = _deploy(project, degraded, tmp_path / "degraded", limits)
    out = capsys.readouterr().out
    assert code == 1
    assert report["failed_gates"] == ["evaluation.pytorch"]
    evaluation = report["evaluation"]["pytorch"]
    assert evaluation["primary_metric"]["value"] < floor
    reason = evaluation["reason"]
    assert reason.startswith(evaluation["primary_metric"]["name"]) and f"{FLOOR_REASON} {floor:g}" in reason
    assert f"[FAIL] evaluation.pytorch — {reason}" in out
    print(
        f"{project}: floor {floor}, shipped {shipped_value:.4f}, degraded {evaluation['primary_metric']['value']:.4f}"
    )


def test_floor_boundary_on_the_tiny_project(tmp_path, capsys) -> None:
    """At the floor passes, just above the measured value fails; no floor never fails."""
    pytest.importorskip("torch")
    import tiny_project

    register_project("tiny_cnn", "tiny_project")
    checkpoint = tmp_path / "tiny.pth"
    tiny_project.save_checkpoint(str(checkpoint))
    config = tmp_path / "deploy.json"
    config.write_text(json.dumps(tiny_project.config_dict(str(tmp_path / "unused"), str(checkpoint))))

    def run(name: str, floor: str) -> tuple[int, dict]:
        work = tmp_path / name
        argv = [str(config), "--mode", "none", "--work-dir", str(work), "--cfg-options", *PYTORCH_ONLY]
        code = bundle.main("tiny_cnn", None, [*argv, f"evaluation.min_primary_metric={floor}"])
        (report,) = (work / "runs").glob("*/report.json")
        return code, json.loads(report.read_text())

    code, report = run("none", "None")
    value = report["evaluation"]["pytorch"]["primary_metric"]["value"]
    assert code == 0 and 0.0 <= value < 1.0
    assert run("at", repr(value))[0] == 0
    code, report = run("above", repr(min(1.0, value + 1e-3)))
    assert code == 1 and report["failed_gates"] == ["evaluation.pytorch"]
    assert FLOOR_REASON in report["evaluation"]["pytorch"]["reason"]
    capsys.readouterr()
