"""AWML-shaped inputs written by tools/generate_awml_fixture.py deploy end to end: model config (mmpretrain dict,
top-level classes, CalibrationClassificationTransform), deploy settings (dynamic H/W) and calibration infos."""

import dataclasses
import importlib.util
import json
import pickle

import onnx
import pytest
import torch

from awml_deploy.cli.main import main
from awml_deploy.config import load_config
from projects.calibration_status.model import ModelSettings, build_model
from projects.calibration_status.runner import DEFAULT_CONFIG, HERE, PROJECT


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("awml_fixture", HERE / "tools" / "generate_awml_fixture.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    out = tmp_path_factory.mktemp("awml")
    assert tool.main(["--out", str(out), "--scenes", "2"]) == 0
    torch.manual_seed(0)
    state = build_model(ModelSettings()).state_dict()  # random weights, mmengine's checkpoint layout
    torch.save({"meta": {"epoch": 1, "iter": 10}, "state_dict": state}, out / "epoch_1.pth")
    return out


def _options(d):
    return [
        f"project.model_config={d / 'model_config.py'}",
        f"project.awml_deploy_config={d / 'deploy_settings.py'}",
        f"runtime_io.info_file={d / 'infos.pkl'}",
        "evaluation.min_primary_metric=None",  # random weights: the shipped checkpoint's floor does not apply
    ]


def test_awml_shaped_inputs_deploy_with_dynamic_height_and_width(fixture_dir, tmp_path, capsys):
    torch.set_num_threads(2)
    work = tmp_path / "w"
    argv = [PROJECT.name, "--mode", "onnx", "--work-dir", str(work), "--checkpoint", str(fixture_dir / "epoch_1.pth")]
    code = main(argv + ["--cfg-options", *_options(fixture_dir), "verification.num_verify_samples=4"])
    out = capsys.readouterr().out
    assert code == 0, out
    (onnx_file,) = (work / "onnx").glob("*.onnx")
    graph = onnx.load(str(onnx_file)).graph
    dims = [[d.dim_param or d.dim_value for d in t.type.tensor_type.shape.dim] for t in (*graph.input, *graph.output)]
    assert dims == [["batch_size", 5, "height", "width"], ["batch_size", 2]]
    assert [t.name for t in graph.input] == ["input"] and [t.name for t in graph.output] == ["output"]
    report = json.loads(sorted((work / "runs").glob("*/report.json"))[-1].read_text())
    for backend in ("pytorch", "onnx"):
        metrics = report["evaluation"][backend]["metrics"]
        assert report["evaluation"][backend]["num_samples"] == 16  # 8 infos, each calibrated and miscalibrated
        assert metrics["confusion_matrix"]["labels"] == ["miscalibrated", "calibrated"]  # the config's classes


def test_tensorrt_profile_comes_from_the_deploy_settings(fixture_dir):
    config = load_config(DEFAULT_CONFIG)
    project = dict(config.project, model_config=str(fixture_dir / "model_config.py"))
    project["awml_deploy_config"] = str(fixture_dir / "deploy_settings.py")
    runner = PROJECT.create_runner(dataclasses.replace(config, project=project))
    component = runner.config.components["model"]
    profile = component.tensorrt_profile["input"]
    assert (profile.min_shape, profile.opt_shape, profile.max_shape) == (
        (1, 5, 64, 96),
        (1, 5, 96, 160),
        (1, 5, 192, 320),
    )
    assert tuple(component.io.inputs[0].shape) == (None, 5, None, None)  # dynamic batch, height, width
    assert runner.labels == ("miscalibrated", "calibrated") and runner.model_settings == ModelSettings()


class _Marker:
    def __reduce__(self):
        return (print, ("code ran",))


def test_info_pickle_that_would_run_code_is_refused(fixture_dir, tmp_path, capsys):
    infos = pickle.loads((fixture_dir / "infos.pkl").read_bytes())
    infos["metainfo"]["evil"] = _Marker()
    bad = tmp_path / "infos.pkl"
    bad.write_bytes(pickle.dumps(infos))
    argv = [PROJECT.name, "--mode", "onnx", "--work-dir", str(tmp_path / "w"), "--cfg-options"]
    code = main(argv + [*_options(fixture_dir)[:2], f"runtime_io.info_file={bad}"])
    captured = capsys.readouterr()
    assert code == 2 and "code ran" not in captured.out + captured.err
    assert f"{bad} | cannot read the calibration infos" in captured.err and "is not allowed" in captured.err
    assert not (tmp_path / "w").exists()


def test_model_config_with_three_channels_is_one_line(fixture_dir, tmp_path, capsys):
    text = (fixture_dir / "model_config.py").read_text().replace("in_channels=5", "in_channels=3")
    (tmp_path / "rgb.py").write_text(text)
    code = main(
        [
            PROJECT.name,
            "--work-dir",
            str(tmp_path / "w"),
            "--cfg-options",
            f"project.model_config={tmp_path / 'rgb.py'}",
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and "model.backbone.in_channels | does not fit the fused input" in err[-1]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("project.model_config=/nonexistent/model.py", "project.model_config | config file not found"),
        ("project.awml_deploy_config=/nonexistent/deploy.py", "project.awml_deploy_config | config file not found"),
    ],
)
def test_missing_awml_files_are_one_line_before_any_work(option, message, tmp_path, capsys):
    code = main([PROJECT.name, "--work-dir", str(tmp_path / "w"), "--cfg-options", option])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and message in err[-1] and not (tmp_path / "w").exists()
