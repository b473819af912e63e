"""Every key of AWML's reference deploy config is accepted with AWML's meaning; keys AWML parses but never uses
are accepted with a one-line notice (fixture: a deploy config in AWML's shape, written for these tests)."""

from __future__ import annotations

import pathlib

import pytest

from awml_deploy.config.deploy_config import parse_config
from awml_deploy.config.loader import load_config, load_raw
from awml_deploy.core.enums import Backend, ExportMode
from awml_deploy.core.errors import DeployError

FIXTURE = pathlib.Path(__file__).parent / "fixtures/awml_root/projects/TinyCenterPoint/configs/deploy_config.py"


def test_awml_reference_keys_keep_awml_meaning(notices) -> None:
    config = load_config(FIXTURE)
    # verification.tolerance: one absolute tolerance per element, whatever the precision (AWML's comparator).
    for precision in ("fp32", "fp16"):
        assert (config.verification.tolerances[precision].atol, config.verification.tolerances[precision].rtol) == (
            1e-3,
            0.0,
        )
    # evaluation.backends.onnx.model_dir / tensorrt.engine_dir: the configured artifact of that backend.
    assert config.evaluation.backends[Backend.ONNX].artifact == "work_dirs/tiny_deployment/onnx"
    assert config.evaluation.backends[Backend.TENSORRT].artifact == "work_dirs/tiny_deployment/tensorrt"
    # deploy_log_path: the log file of each run.
    assert config.logging.file == "deployment.log"
    assert config.export.mode is ExportMode.BOTH and config.runtime_io.sample_idx == 1
    assert config.tensorrt_config.max_workspace_size == 2 << 30
    assert [s.key for s in config.verification.scenarios_for(ExportMode.ONNX)] == ["pytorch_cpu_vs_onnx_cpu"]
    assert any(m.startswith("verification.devices | accepted and ignored") for m in notices), notices
    assert any(m.startswith("evaluation.verbose | accepted and ignored") for m in notices), notices
    assert all("\n" not in m for m in notices)


def test_evaluation_models_is_the_configured_artifact() -> None:
    raw = load_raw(FIXTURE)
    raw["evaluation"]["models"] = {"pytorch": "a.pth"}
    assert parse_config(raw).evaluation.backends[Backend.PYTORCH].artifact == "a.pth"


@pytest.mark.parametrize(
    "edit, match",
    [
        (lambda r: r["verification"].update(tolerances={"fp32": {"atol": 1, "rtol": 0}}), "verification.tolerance"),
        (lambda r: r["verification"].update(tolerance="1"), r"verification\.tolerance \| must be a finite number"),
        (lambda r: r["verification"].update(tolerance=-1.0), r"verification\.tolerance \| out of range"),
        (lambda r: r["evaluation"]["backends"]["onnx"].update(artifact="x"), r"onnx\.model_dir \| given with"),
        (lambda r: r["evaluation"]["backends"]["onnx"].update(engine_dir="x"), r"onnx\.engine_dir \| unknown key"),
        (lambda r: r["evaluation"].update(verbose="yes"), None),
        (lambda r: r.update(logging={"file": "other.log"}), r"deploy_log_path \| differs from logging\.file"),
    ],
)
def test_awml_keys_wrong_use_is_one_line(edit, match) -> None:
    raw = load_raw(FIXTURE)
    edit(raw)
    if match is None:  # parsed-but-ignored keys take any value, as in AWML
        parse_config(raw)
        return
    with pytest.raises(DeployError, match=match) as err:
        parse_config(raw)
    assert "\n" not in str(err.value)


def test_deploy_log_path_none_or_folder_is_noted(notices) -> None:
    raw = load_raw(FIXTURE)
    raw["deploy_log_path"] = "logs/deploy.txt"
    assert parse_config(raw).logging.file == "deploy.txt"
    raw["deploy_log_path"] = None
    assert parse_config(raw).logging.file == "deploy.log"
    messages = [m for m in notices if m.startswith("deploy_log_path")]
    assert len(messages) == 2
