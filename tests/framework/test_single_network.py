"""The single-network bundles (calibration_status, lidar_segmentation) hold the same contract through
:mod:`awml_deploy.runtime.single_network` and :mod:`awml_deploy.config.settings`: one test per behaviour, run for
both bundles.
"""

import dataclasses
import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from awml_deploy.cli.main import main
from awml_deploy.config import load_config
from awml_deploy.config.reader import as_bool, as_int, optional
from awml_deploy.config.settings import as_floats, read_settings, section, setting
from awml_deploy.core.errors import DeployError, fail
from awml_deploy.exporters import OnnxExporter, read_metadata
from awml_deploy.exporters.onnx_fp16 import check_fp16, convert_to_fp16
from awml_deploy.runtime.single_network import ParameterShape, check_state_dict
from projects.calibration_status import model as calibration_model
from projects.calibration_status import runner as calibration_runner
from projects.lidar_segmentation import model as lidar_model
from projects.lidar_segmentation import runner as lidar_runner


@dataclasses.dataclass(frozen=True)
class Bundle:
    runner: object
    model: object
    short: tuple[str, ...]
    wrong: dict  # project.model settings of a wrong-architecture checkpoint
    wrong_key: str  # the parameter the message must name
    dynamic: tuple[int, ...]  # sizes of the dynamic axis to run through one ONNX graph


BUNDLES = {
    "calibration_status": Bundle(
        calibration_runner,
        calibration_model,
        ("project.eval_limit=4", "verification.num_verify_samples=2", "evaluation.warmup=0"),
        {"in_channels": 3},
        "backbone.conv1.weight",
        (1, 3, 5),
    ),
    "lidar_segmentation": Bundle(
        lidar_runner,
        lidar_model,
        ("project.eval_limit=2", "verification.num_verify_samples=1", "evaluation.warmup=0"),
        {"width": 8},
        "backbone.stem.0.weight",
        (1000, 4321, 20000),
    ),
}
NAMES = sorted(BUNDLES)


def _one_line_exit_2(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert err and err[-1].startswith("awml-deploy: error: ") and "Traceback" not in "\n".join(err)
    return err[-1]


def _argv(name, tmp_path, *options):
    return [name, "--mode", "onnx", "--work-dir", str(tmp_path / "w"), "--cfg-options", *BUNDLES[name].short, *options]


@pytest.mark.parametrize("name", NAMES)
def test_broken_checkpoint_is_one_line_exit_2(name, tmp_path, capsys):
    broken = tmp_path / "broken.pth"
    broken.write_bytes(b"not a checkpoint")
    line = _one_line_exit_2(_argv(name, tmp_path, f"checkpoint_path={broken}"), capsys)
    assert f"checkpoint {broken} | cannot be loaded weights-only" in line


@pytest.mark.parametrize("name", NAMES)
def test_wrong_architecture_checkpoint_names_the_parameter(name, tmp_path, capsys):
    bundle = BUNDLES[name]
    settings = dataclasses.replace(bundle.model.ModelSettings(), **bundle.wrong)
    path = tmp_path / "wrong.pth"
    torch.save(bundle.model.build_model(settings).state_dict(), path)
    line = _one_line_exit_2(_argv(name, tmp_path, f"checkpoint_path={path}"), capsys)
    assert f"checkpoint {path} | architecture mismatch at {bundle.wrong_key}. Note: expected shape [" in line


@pytest.mark.parametrize("name", NAMES)
def test_mmengine_checkpoint_loads_weights_only_and_equals_the_plain_one(name, tmp_path):
    bundle = BUNDLES[name]
    config = load_config(bundle.runner.DEFAULT_CONFIG)
    plain = bundle.model.load_model(config.checkpoint_path, "cpu")
    wrapped = tmp_path / "epoch_1.pth"
    torch.save({"meta": {"epoch": 1, "iter": 10}, "state_dict": plain.state_dict()}, wrapped)
    loaded = bundle.model.load_model(wrapped, "cpu")
    for key, value in plain.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("value", ["no", "'false'", "1", "0"])
def test_reliability_finding_1_trust_checkpoint_must_be_a_bool(name, value, tmp_path, capsys):
    """Finding 1: "no"/"false" were truthy and let a full pickle run code; only true/false are accepted now."""
    line = _one_line_exit_2(_argv(name, tmp_path, f"project.trust_checkpoint={value}"), capsys)
    assert "project.trust_checkpoint | must be a bool" in line and "expected true or false" in line
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("checkpoint_path=/nonexistent/model.pth", "checkpoint_path | checkpoint not found"),
        ("runtime_io.info_file=/nonexistent/eval.json", "/nonexistent/eval.json | "),
        ("runtime_io.sample_idx=100000", "runtime_io.sample_idx | out of range. Note: expected 0 <= idx < "),
        ("project.colour=1", "project.colour | unknown key"),
        ("project.eval_limit=0", "project.eval_limit | out of range"),
        ("project.model.num_classes=3", "project.model.num_classes | does not match the labels"),
    ],
)
def test_reliability_finding_9_inputs_are_checked_before_any_work(name, option, message, tmp_path, capsys):
    """Finding 9: bad inputs failed only after the run had started (run dir, report, manifest rewritten)."""
    line = _one_line_exit_2(_argv(name, tmp_path, option), capsys)
    assert message in line
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize(
    ("name", "option", "message"),
    [
        ("calibration_status", "project.min_class_agreement=1.5", "project.min_class_agreement | out of range"),
        ("calibration_status", "project.preprocess.width=8", "project.preprocess.width | out of range"),
        ("calibration_status", "project.colour=1", "project.colour | unknown key"),
        ("calibration_status", "project.model.depth=50", "project.model.depth | unsupported depth"),
        ("calibration_status", "project.preprocess.min_depth=70.0", "project.preprocess.min_depth | bad depth range"),
        ("calibration_status", "project.preprocess.mean=abc", "project.preprocess.mean | must be a list, not str"),
        ("calibration_status", "project.preprocess.mean=5", "project.preprocess.mean | must be a list, not int"),
        ("calibration_status", "project.preprocess.mean=[1,2]", "project.preprocess.mean | wrong length"),
        ("calibration_status", "project.preprocess.mean=['a','b','c']", "project.preprocess.mean | holds a str"),
        ("calibration_status", "project.preprocess.std=[1,0,1]", "project.preprocess.std | out of range"),
        (
            "calibration_status",
            "project.preprocess.height='96'",
            "project.preprocess.height | must be an integer, not str",
        ),
        ("calibration_status", "project.eval_limit=true", "project.eval_limit | must be an integer, not bool"),
        ("calibration_status", "project.model=5", "project.model | must be a mapping, not int"),
        ("lidar_segmentation", "project.min_label_agreement=1.5", "project.min_label_agreement | out of range"),
        ("lidar_segmentation", "project.model.num_classes=5", "project.model.num_classes | does not match the labels"),
        (
            "lidar_segmentation",
            "project.model.sensor_height=nan",
            "project.model.sensor_height | must be a finite number",
        ),
        (
            "lidar_segmentation",
            "project.model.elevation_min_deg=10.0",
            "project.model.elevation_min_deg | not below elevation_max_deg",
        ),
        (
            "lidar_segmentation",
            "project.min_label_agreement='high'",
            "project.min_label_agreement | must be a finite number, not str",
        ),
    ],
)
def test_reliability_finding_5_bad_project_settings_are_one_line_before_any_work(
    name, option, message, tmp_path, capsys
):
    """Finding 5 (cases 218-220: bare float()/tuple()/< on the section gave tracebacks) and the bundles' own checks."""
    line = _one_line_exit_2(_argv(name, tmp_path, option), capsys)
    assert message in line
    assert not (tmp_path / "w").exists()  # rejected in the runner's constructor: no run directory, no manifest


@pytest.mark.parametrize("name", NAMES)
def test_export_contract_and_onnxruntime_parity_over_the_dynamic_axis(name, tmp_path):
    torch.set_num_threads(2)
    bundle = BUNDLES[name]
    config = load_config(bundle.runner.DEFAULT_CONFIG)
    runner = bundle.runner.PROJECT.create_runner(config)
    component = config.components["model"]
    model = bundle.model.load_model(config.checkpoint_path, "cpu")
    sample = runner.export_pipeline.sample_adapter.extract_sample(model, runner.samples(), 0)["inputs"]
    ((input_name, example),) = sample.items()
    path = tmp_path / component.onnx_file
    info = OnnxExporter(config.onnx_config, {"producer": "awml-deploy"}).export(
        model, (torch.from_numpy(example),), component, path
    )
    graph = onnx.load(str(path))
    onnx.checker.check_model(graph)
    (graph_input,) = graph.graph.input
    (graph_output,) = graph.graph.output
    io = component.io
    assert (graph_input.name, graph_output.name) == (io.inputs[0].name, io.outputs[0].name) == (input_name, "logits")
    dims = [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    assert dims[0] == io.dynamic_axes[input_name][0] and dims[1:] == list(io.inputs[0].shape[1:])
    meta = read_metadata(path)
    assert meta["component"] == "model" and meta["producer"] == "awml-deploy" and info.opset == 17
    assert json.loads(meta["io"])["dynamic_axes"][input_name] == {"0": dims[0]}
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    for size in bundle.dynamic:
        if name == "calibration_status":
            batch = np.repeat(example, size, axis=0) + rng.normal(0, 0.1, (size, *example.shape[1:])).astype(np.float32)
        else:
            batch = example[rng.choice(len(example), size, replace=size > len(example))]
        (ort_logits,) = session.run(["logits"], {input_name: batch})
        with torch.inference_mode():
            torch_logits = model(torch.from_numpy(batch)).numpy()
        assert ort_logits.shape == (size, io.outputs[0].shape[1])
        np.testing.assert_allclose(ort_logits, torch_logits, atol=1e-3, rtol=1e-3)
        assert (ort_logits.argmax(1) == torch_logits.argmax(1)).mean() >= 0.999
    # Both bundles default to precision_policy fp16: on TensorRT >= 10.12 / 11 that is a strongly typed engine built
    # from the FP16 ONNX the maintained converter writes (FP32 I/O, keep-list), held to the config's fp16 tolerance.
    fp16 = convert_to_fp16(path, tmp_path / "model_fp16.onnx")
    fp16_graph = onnx.load(str(fp16))
    assert any(t.data_type == onnx.TensorProto.FLOAT16 for t in fp16_graph.graph.initializer)
    assert fp16_graph.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    tolerance = config.verification.tolerances["fp16"]
    check_fp16(path, fp16, [{input_name: example}], tolerance.atol, tolerance.rtol)


@dataclasses.dataclass(frozen=True)
class _Inner:
    size: int = setting(3, as_int, minimum=1)


@dataclasses.dataclass(frozen=True)
class _Outer:
    inner: _Inner = section(_Inner)
    flag: bool = setting(False, as_bool)
    limit: int | None = setting(None, optional(as_int), minimum=1)
    scale: tuple[float, ...] = setting((1.0, 2.0), as_floats, length=2, positive=True)

    def check(self, path):
        if self.flag and self.limit is None:
            fail(f"{path}.limit | required with flag")


def test_read_settings_defaults_nesting_and_errors():
    assert read_settings(_Outer, None, "p") == _Outer(_Inner(3), False, None, (1.0, 2.0))
    got = read_settings(_Outer, {"inner": {"size": 5}, "flag": True, "limit": 2, "scale": [1, 4]}, "p")
    assert got == _Outer(_Inner(5), True, 2, (1.0, 4.0)) and isinstance(got.scale[0], float)
    cases = {
        "p.inner.size | out of range": {"inner": {"size": 0}},
        "p.inner.other | unknown key": {"inner": {"other": 1}},
        "p.flag | must be a bool, not str": {"flag": "false"},
        "p.limit | must be an integer, not float": {"limit": 1.5},
        "p.scale | out of range": {"scale": [1, 0]},
        "p.scale | holds a float": {"scale": [1.0, float("nan")]},
        "p.scale | wrong length": {"scale": [1.0]},
        "p.limit | required with flag": {"flag": True},
    }
    for message, raw in cases.items():
        with pytest.raises(DeployError) as info:
            read_settings(_Outer, raw, "p")
        assert str(info.value).startswith(message), (message, str(info.value))


def test_check_state_dict_names_missing_keys_and_wildcards():
    state = {"a": torch.zeros(4, 3), "b": torch.zeros(2)}
    assert check_state_dict(state, [ParameterShape("a", (4, None), "x"), ParameterShape("b", (2,), "y")], "f", "n")
    with pytest.raises(DeployError, match=r"checkpoint f \| not a net state dict. Note: expected keys a, c"):
        check_state_dict(state, [ParameterShape("a", (4, 3), "x"), ParameterShape("c", (1,), "z")], "f", "net")
    with pytest.raises(DeployError, match=r"architecture mismatch at a. Note: expected shape \[4, \*, 1\] \(x\)"):
        check_state_dict(state, [ParameterShape("a", (4, None, 1), "x")], "f", "net")
