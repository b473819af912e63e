"""The ``project`` section read strictly (reliability review 2026-12-06, findings 5, 7, 8, 10, 12)."""

import json
import math

import pytest
import torch
from conftest import CHECKPOINT, REPO

from awml_deploy.cli.main import main
from awml_deploy.config.loader import load_raw
from awml_deploy.core.errors import DeployError
from projects.yolox.settings import YoloxSettings, parse_settings

DEFAULT_CONFIG = REPO / "projects" / "yolox" / "configs" / "deploy_default.py"


def _one_line(project):
    with pytest.raises(DeployError) as info:
        parse_settings(project)
    assert "\n" not in str(info.value) and info.value.exit_code == 2
    return str(info.value)


def _cli(capsys, config_path, work, *extra):
    code = main(["yolox", str(config_path), "--mode", "onnx", "--work-dir", str(work), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert "Traceback" not in "\n".join(err)
    return code, [line for line in err if line.startswith("awml-deploy: error: ")]


def _json_config(tmp_path, **project):
    """The default deploy config as JSON (NaN/Infinity survive json.dumps) with ``project`` keys replaced."""
    raw = load_raw(DEFAULT_CONFIG)
    raw["project"] = {**raw["project"], **project}
    path = tmp_path / "deploy.json"
    path.write_text(json.dumps(raw))
    return path


def test_defaults_are_one_frozen_dataclass():
    settings = parse_settings(None)
    assert settings == YoloxSettings()
    with pytest.raises(AttributeError):
        settings.trust_checkpoint = True


def test_finding7_booleans_are_booleans():
    message = _one_line({"nms": {"append": ["onnx"], "onnx_in_graph": "false"}})
    assert message.startswith("project.nms.onnx_in_graph | must be a bool, not str")
    assert "expected true or false" in message
    assert "project.trust_checkpoint | must be a bool" in _one_line({"trust_checkpoint": "no"})
    assert parse_settings({"nms": {"append": ["onnx"], "onnx_in_graph": True}}).nms_onnx_in_graph is True


@pytest.mark.parametrize(
    ("project", "key"),
    [
        ({"num_images": math.nan}, "project.num_images | must be an integer, not float"),
        ({"num_images": math.inf}, "project.num_images | must be an integer, not float"),
        ({"num_images": 0}, "project.num_images | out of range"),
        ({"nms": 5}, "project.nms | must be a mapping, not int"),
        ({"nms": "onnx"}, "project.nms | must be a mapping, not str"),
        ({"nms": {"append": 5}}, "project.nms.append | must be a list, not int"),
        ({"nms": {"append": ["cuda"]}}, "project.nms.append[0] | unknown variant"),
        ({"nms": {"max_output_boxes": "many"}}, "project.nms.max_output_boxes | must be an integer, not str"),
        ({"nms": {"max_output_boxes": -5}}, "project.nms.max_output_boxes | out of range"),
        ({"nms": {"colour": 1}}, "project.nms.colour | unknown key"),
        ({"min_primary_metric": 0.5}, "project.min_primary_metric | unknown key"),
        ({"iou_thresholds": "0.3:0.9"}, "project.iou_thresholds | unsupported value"),
        ({"cpu_threads": "two"}, "project.cpu_threads | must be an integer, not str"),
        ({"class_names": ["a", "a"]}, "project.class_names | duplicate class names"),
        ({"colour": "red"}, "project.colour | unknown key"),
        ({"nms": {"onnx_in_graph": True}}, "project.nms.onnx_in_graph | needs the onnx variant"),
        ({"model_config": "/nonexistent/yolox.py"}, "project.model_config | not found"),
    ],
)
def test_finding5_typed_numbers_and_nested_nms(project, key):
    assert _one_line(project).startswith(key)


def test_finding12_documented_keys_are_accepted():
    settings = parse_settings({"class_names": ["a", "b", "c"], "trust_checkpoint": True})
    assert settings.class_names == ("a", "b", "c") and settings.trust_checkpoint is True
    message = _one_line({"trusted_checkpoint": True})  # one trust key name, the same as the other bundles
    assert message.startswith("project.trusted_checkpoint | unknown key") and "trust_checkpoint" in message


def test_finding5_nan_in_a_json_config_is_exit_2_before_any_work(tmp_path, capsys):
    work = tmp_path / "work"
    code, errors = _cli(capsys, _json_config(tmp_path, num_images=math.nan), work)
    assert code == 2 and len(errors) == 1 and "project.num_images | must be an integer, not float" in errors[0]
    assert not work.exists()  # validated in the runner constructor: no run dir, no ONNX


def test_finding7_string_false_in_a_json_config_is_exit_2(tmp_path, capsys):
    nms = {"append": ["onnx"], "onnx_in_graph": "false"}
    code, errors = _cli(capsys, _json_config(tmp_path, nms=nms), tmp_path / "work")
    assert code == 2 and "project.nms.onnx_in_graph | must be a bool, not str" in errors[0]


def test_finding8_info_file_is_not_ignored(tmp_path, capsys):
    work = tmp_path / "work"
    code, errors = _cli(capsys, DEFAULT_CONFIG, work, "--cfg-options", "runtime_io.info_file='/nonexistent.json'")
    assert code == 2 and errors[0].startswith("awml-deploy: error: runtime_io.info_file | not found")
    assert not work.exists()


def test_finding10_wrong_shape_checkpoint_is_exit_2(tmp_path, capsys):
    state = torch.load(str(CHECKPOINT), map_location="cpu", weights_only=True)
    key = "bbox_head.multi_level_conv_cls.0.weight"
    state[key] = torch.zeros(4, *state[key].shape[1:])  # 4 classes where the config has 3
    bad = tmp_path / "wrong_shape.pth"
    torch.save(state, bad)
    code, errors = _cli(capsys, DEFAULT_CONFIG, tmp_path / "work", "--checkpoint", str(bad))
    assert code == 2 and len(errors) == 1
    assert "tensors have the wrong shape" in errors[0] and key in errors[0]


def test_finding12_trust_checkpoint_loads_a_full_pickle(tmp_path, capsys):
    """A training checkpoint whose meta holds an object weights-only loading refuses: exit 2 unless trusted."""
    state = torch.load(str(CHECKPOINT), map_location="cpu", weights_only=True)
    path = tmp_path / "full.pth"
    torch.save({"state_dict": state, "meta": {"hook": _Opaque()}}, path)
    args = ["--checkpoint", str(path), "--cfg-options", "project.num_images=2", "evaluation.enabled=false"]
    code, errors = _cli(capsys, DEFAULT_CONFIG, tmp_path / "w1", *args)
    assert code == 2 and "project.trust_checkpoint=True" in errors[0]
    code, errors = _cli(capsys, DEFAULT_CONFIG, tmp_path / "w2", *args, "project.trust_checkpoint=true")
    assert code == 0 and errors == []


class _Opaque:
    """A class weights-only unpickling does not allow."""
