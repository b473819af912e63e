"""The 5-feature, sweep-using variant of the CenterPoint embedded default (configs/deploy_t4_sweeps.py) end to end
on its committed T4-shaped frames: the exported encoder takes 5 point features, the points the deploy feeds the
model carry the time lag (0 for the frame, the sweep's lag for its past sweep) in the last column, every CPU gate
passes (the C++ runtime included) and the mAP holds the config's floor. Plus: the committed data and checkpoint
are what their generator scripts write."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import pickle

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytest.importorskip("mmdet3d")

from awml_deploy.cli import bundle  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
PROJECT = REPO / "projects/centerpoint"
DEPLOY_CFG = PROJECT / "configs/deploy_t4_sweeps.py"
DATA = PROJECT / "assets/t4_sweeps"
INFO = DATA / "t4_sweeps_infos_test.pkl"
FAST = ["evaluation.warmup=0", "project.cpu_threads=1", "project.bev_picture=False"]


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _infos() -> list[dict]:
    with open(INFO, "rb") as f:
        return pickle.load(f)["data_list"]


@pytest.fixture(scope="module")
def variant_run(tmp_path_factory):
    from projects.centerpoint import evaluator

    work_dir = tmp_path_factory.mktemp("t4_sweeps")
    seen: dict[str, np.ndarray] = {}
    original = evaluator.CenterPointSamples.get_sample

    def recording(self, index):  # records what the deploy feeds the model; the sample itself is unchanged
        sample = original(self, index)
        seen[sample["uuid"]] = np.array(sample["points"], copy=True)
        return sample

    evaluator.CenterPointSamples.get_sample = recording
    try:
        code = bundle.main(
            "centerpoint",
            "projects.centerpoint.runner",
            [str(DEPLOY_CFG), "--mode", "onnx", "--work-dir", str(work_dir), "--cfg-options", *FAST],
        )
    finally:
        evaluator.CenterPointSamples.get_sample = original
    return code, work_dir, seen


def _report(work_dir: pathlib.Path) -> dict:
    (path,) = sorted(work_dir.glob("runs/*/report.json"))[-1:]
    return json.loads(path.read_text())


def test_variant_deploy_passes_every_cpu_gate_and_the_floor(variant_run) -> None:
    code, work_dir, _ = variant_run
    assert code == 0
    report = _report(work_dir)
    gates = {g["name"]: g["status"] for g in report["gates"]}
    for name in (
        "export.onnx",
        "verification.pytorch_cpu_vs_onnx_cpu",
        "verification.onnx_cpu_vs_runtime_cpu",  # the C++ runtime with num_point_features = 5
        "evaluation.pytorch",
        "evaluation.onnx",
        "evaluation.delta.onnx",
    ):
        assert gates[name] == "passed", (name, gates)
    from mmengine.config import Config

    floor = Config.fromfile(str(DEPLOY_CFG)).evaluation.min_primary_metric
    onnx_eval = report["evaluation"]["onnx"]
    assert onnx_eval["num_samples"] == len(_infos()) == 4
    assert onnx_eval["primary_metric"]["name"] == "map_center_distance_bev"
    assert onnx_eval["primary_metric"]["value"] >= floor >= 0.8


def test_variant_encoder_takes_five_point_features(variant_run) -> None:
    _, work_dir, _ = variant_run
    encoder = onnx.load(str(work_dir / "onnx/pts_voxel_encoder.onnx"))
    dims = [d.dim_value or d.dim_param for d in encoder.graph.input[0].type.tensor_type.shape.dim]
    assert dims[1:] == [32, 11]  # (x, y, z, intensity, time lag) + 3 cluster + 3 voxel-centre offsets
    params = (work_dir / "onnx/centerpoint_ml_package.param.yaml").read_text()
    assert "point_feature_size: 5" in params
    assert "num_past_frames: 1" in (work_dir / "onnx/centerpoint.param.yaml").read_text()


def test_points_fed_to_the_model_carry_the_time_lag(variant_run) -> None:
    _, _, seen = variant_run
    infos = _infos()
    assert sorted(seen) == sorted(e["token"] for e in infos)
    for entry in infos:
        points = seen[entry["token"]]
        (sweep,) = entry["lidar_sweeps"]
        lag = np.float32(entry["timestamp"] - sweep["timestamp"])
        assert abs(float(lag) - 0.1) < 1e-4
        assert points.shape[1] == 5 and points.dtype == np.float32
        lags, counts = np.unique(points[:, 4], return_counts=True)
        assert lags.tolist() == [0.0, float(lag)], entry["token"]
        frame_rows = (DATA / entry["lidar_points"]["lidar_path"]).stat().st_size // 20
        sweep_rows = (DATA / sweep["lidar_points"]["lidar_path"]).stat().st_size // 20
        assert 0.8 * frame_rows <= counts[0] <= frame_rows  # the frame, less what the range filter drops
        assert 0.8 * sweep_rows <= counts[1] <= sweep_rows  # its past sweep, mapped into the frame


def test_committed_t4_sweeps_are_the_generator_output(tmp_path) -> None:
    make = _tool("make_t4_sweeps")
    make.write_t4_sweeps(str(PROJECT / "assets/eval_scenes.json"), str(tmp_path / "out"), 4)
    committed = sorted(p.relative_to(DATA) for p in DATA.rglob("*") if p.is_file())
    written = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert committed == written and len(committed) == 9
    for rel in committed:
        assert (DATA / rel).read_bytes() == (tmp_path / "out" / rel).read_bytes(), rel


def test_variant_checkpoint_is_the_widened_trained_one() -> None:
    import torch

    from projects.centerpoint.model import load_centerpoint

    widen = _tool("widen_checkpoint")
    config = str(PROJECT / "configs/centerpoint_tiny_t4_sweeps.py")
    model = load_centerpoint(str(PROJECT / "assets/centerpoint_tiny_t4_sweeps.pth"), "cpu", config)  # strict
    source = torch.load(PROJECT / "assets/centerpoint_tiny_synthetic.pth", weights_only=True)
    state = model.state_dict()
    assert sorted(state) == sorted(source)
    weight, old = state[widen.WEIGHT], source[widen.WEIGHT]
    assert tuple(weight.shape) == (32, 11) and tuple(old.shape) == (32, 10)
    assert torch.equal(weight[:, 4], torch.zeros(32))  # the time lag is ignored
    assert torch.equal(torch.cat([weight[:, :4], weight[:, 5:]], dim=1), old)
    assert all(torch.equal(state[k], source[k]) for k in source if k != widen.WEIGHT)
