"""Config: every section parsed from good input, defaults, loaders (Python/YAML/JSON), overrides, aliases."""

import json

import pytest
from config_cases import full_config

from awml_deploy.config import apply_overrides, load_config, parse_config
from awml_deploy.config.overrides import parse_value
from awml_deploy.core import Backend, DeployError, DeviceSpec, ExportMode, PrecisionPolicy

MINIMAL = {"components": {"model": {"io": {"inputs": ["x"], "outputs": ["y"]}}}}


def test_minimal_config_defaults():
    config = parse_config(MINIMAL)
    assert config.checkpoint_path is None
    assert config.export.mode is ExportMode.BOTH and config.export.work_dir == "work_dirs/awml_deploy"
    model = config.components["model"]
    assert (model.onnx_file, model.engine_file) == ("model.onnx", "model.engine")
    assert model.io.inputs[0].dtype == "float32" and model.io.inputs[0].shape is None
    assert config.onnx_config.opset_version == 17 and config.onnx_config.dynamo is False
    assert config.tensorrt_config.precision_policy is PrecisionPolicy.AUTO
    assert config.verification.enabled and config.verification.num_verify_samples == 3
    assert config.verification.tolerances["fp32"].atol == 1e-4
    assert config.verification.tolerances["fp16"].rtol == 2e-2
    assert config.evaluation.enabled is False and config.evaluation.warmup == 2
    assert config.logging.file == "deploy.log"
    onnx_scenarios = config.verification.scenarios_for(ExportMode.ONNX)
    assert [s.key for s in onnx_scenarios] == ["pytorch_cpu_vs_onnx_cpu"]


def test_full_config_every_section():
    config = parse_config(full_config())
    assert config.devices.aliases["gpu1"] == DeviceSpec("cuda", 1)
    assert config.export.onnx_path == "given.onnx"
    enc = config.components["encoder"]
    assert enc.io.inputs[0].shape == (None, 32, 11)
    assert dict(enc.io.dynamic_axes["features"]) == {0: "num_pillars"}
    assert enc.tensorrt_profile["features"].opt_shape == (20000, 32, 11)
    assert config.components["head"].io.outputs[1].dtype == "float16"
    assert config.runtime_io.sample_idx == 2
    assert config.tensorrt_config.precision_policy is PrecisionPolicy.FP16
    assert config.tensorrt_config.builder_optimization_level == 3
    both = config.verification.scenarios_for(ExportMode.BOTH)
    assert both[1].ref_device == DeviceSpec("cuda", 1)  # alias gpu1 resolved
    assert both[1].test_device == DeviceSpec("cuda", 0)
    assert config.verification.per_output["heatmap"].atol == 0.5
    assert config.evaluation.backends[Backend.ONNX].artifact == "onnx_dir"
    assert config.evaluation.backends[Backend.TENSORRT].device == DeviceSpec("cuda", 1)
    assert config.evaluation.max_primary_metric_delta == 0.01
    assert config.logging.level == "DEBUG" and config.logging.progress is False
    assert config.project["anything"][2]["x"] is None
    with pytest.raises(TypeError):
        config.project["new"] = 1  # frozen


def test_cuda_alias_follows_devices():
    raw = dict(MINIMAL, devices={"cuda": "cuda:3"})
    config = parse_config(raw)
    trt = config.verification.scenarios_for(ExportMode.TRT)[0]
    assert trt.test_device == DeviceSpec("cuda", 3)


def test_checkpoint_required_only_by_stage():
    config = parse_config(MINIMAL)
    with pytest.raises(DeployError, match="checkpoint_path | required by export"):
        config.require_checkpoint("export")
    assert parse_config(dict(MINIMAL, checkpoint_path="a.pth")).require_checkpoint("export") == "a.pth"


def test_dynamic_axes_list_form_and_string_keys():
    raw = {
        "components": {
            "m": {
                "io": {
                    "inputs": [{"name": "x", "shape": [-1, "n", 3]}],
                    "outputs": ["y"],
                    "dynamic_axes": {"x": [0, 1], "y": {"0": "batch"}},
                }
            }
        }
    }
    io = parse_config(raw).components["m"].io
    assert dict(io.dynamic_axes["x"]) == {0: "x_dim0", 1: "x_dim1"}
    assert dict(io.dynamic_axes["y"]) == {0: "batch"}


def test_config_hash_changes_with_content():
    a = parse_config(MINIMAL).config_hash
    b = parse_config(dict(MINIMAL, checkpoint_path="x")).config_hash
    assert a != b and len(a) == 64 and a == parse_config(MINIMAL).config_hash


def test_override_values_parse():
    assert parse_value("3") == 3 and parse_value("0.5") == 0.5
    assert parse_value("true") is True and parse_value("None") is None and parse_value("null") is None
    assert parse_value("none") == "none"
    assert parse_value("[1, 2]") == [1, 2] and parse_value("cuda:1") == "cuda:1"
    assert parse_value("'quoted'") == "quoted"


def test_overrides_apply_nested_and_create_sections():
    raw = apply_overrides(
        MINIMAL, ["export.mode=onnx", "verification.tolerances.fp32.atol=0.5", "checkpoint_path=c.pth"]
    )
    config = parse_config(raw)
    assert config.export.mode is ExportMode.ONNX
    assert config.verification.tolerances["fp32"].atol == 0.5
    assert config.checkpoint_path == "c.pth"
    assert "export" not in MINIMAL  # input untouched


@pytest.mark.parametrize("option", ["noequals", "=1", "a..b=1", "components.model.io.inputs.x=1"])
def test_bad_overrides_fail(option):
    with pytest.raises(DeployError, match="--cfg-options"):
        apply_overrides(MINIMAL, [option])


def test_override_then_validate_names_key():
    with pytest.raises(DeployError, match="evaluation.warmup"):
        parse_config(apply_overrides(MINIMAL, ["evaluation.warmup=-3"]))


def test_load_json_yaml_python(tmp_path):
    raw = full_config()
    raw["components"]["encoder"]["io"]["dynamic_axes"] = {"features": {"0": "n"}}
    (tmp_path / "c.json").write_text(json.dumps(raw))
    import yaml

    (tmp_path / "c.yaml").write_text(yaml.safe_dump(raw))
    (tmp_path / "c.py").write_text("import os\n_private = 1\n" + "\n".join(f"{k} = {v!r}" for k, v in raw.items()))
    configs = [load_config(tmp_path / name) for name in ("c.json", "c.yaml", "c.py")]
    assert len({c.config_hash for c in configs}) == 1
    assert all(c.components["encoder"].io.dynamic_axes["features"][0] == "n" for c in configs)
    overridden = load_config(tmp_path / "c.yaml", ["export.mode=none"])
    assert overridden.export.mode is ExportMode.NONE


@pytest.mark.parametrize(
    "name,text,match",
    [
        ("missing.json", None, "config file not found"),
        ("c.toml", "a=1", "unsupported config format"),
        ("c.json", "{bad json", "cannot parse"),
        ("c.yaml", "- a\n- b\n", "must define a mapping"),
        ("c.py", "x = (", "cannot parse"),
    ],
)
def test_load_errors_are_one_line(tmp_path, name, text, match):
    if text is not None:
        (tmp_path / name).write_text(text)
    with pytest.raises(DeployError, match=match) as info:
        load_config(tmp_path / name)
    assert "\n" not in str(info.value)
