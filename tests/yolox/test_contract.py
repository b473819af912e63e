"""I/O shapes and TensorRT profiles derived from the model config; AWML's config shape; the Autoware flavour."""

import copy

import numpy as np
import onnx
import pytest
import torch
from conftest import REPO

from awml_deploy.cli.main import main
from awml_deploy.config.components import parse_components
from awml_deploy.core.errors import DeployError

EMBEDDED = REPO / "projects" / "yolox" / "configs" / "yolox_pico_shapes.py"
AUTOWARE_CONFIG = REPO / "projects" / "yolox" / "configs" / "deploy_autoware.py"


@pytest.fixture(scope="module")
def awml_shaped_cfg(tmp_path_factory):
    """The embedded model config written as AWML writes its configs: top-level ``classes``, no head strides."""
    from projects.yolox.model import load_model_config

    text = EMBEDDED.read_text().replace("        strides=(8, 16, 32),\n", "")
    text = text.replace("metainfo = dict(classes=class_names)", "classes = ('a', 'b', 'c')")
    assert "strides" not in text and "metainfo" not in text
    path = tmp_path_factory.mktemp("awml_cfg") / "awml_shaped.py"
    path.write_text(text)
    return load_model_config(path)


def _error(call):
    with pytest.raises(DeployError) as info:
        call()
    assert "\n" not in str(info.value)
    return str(info.value)


def _declared(**io):
    return parse_components({"model": {"io": {"inputs": ["images"], "outputs": ["output"], **io}}})["model"]


def test_awml_top_level_classes_and_mmdet_default_strides(awml_shaped_cfg):
    from projects.yolox.contract import head_strides
    from projects.yolox.model import build_model, class_names

    assert class_names(awml_shaped_cfg) == ("a", "b", "c")
    assert head_strides(awml_shaped_cfg) == tuple(build_model(awml_shaped_cfg).bbox_head.strides)


def test_derived_shapes_equal_what_the_model_computes(awml_shaped_cfg):
    """The derived output shape is the one the traced mmdet model gives on a real preprocessed image."""
    from projects.yolox.contract import YoloxContract, head_strides, input_hw
    from projects.yolox.export import autoware_wrapper
    from projects.yolox.model import build_model
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    preprocess = build_preprocessing_pipeline(awml_shaped_cfg)
    contract = YoloxContract(input_hw(preprocess), head_strides(awml_shaped_cfg), 3)
    tensor, _ = preprocess(np.full((300, 500, 3), 90, np.uint8))
    with torch.no_grad():
        out = autoware_wrapper(build_model(awml_shaped_cfg).eval())(torch.from_numpy(tensor))
    assert contract.input_shape() == (None, *tensor.shape[1:])
    assert contract.output_shape() == (None, *out.shape[1:])
    component = contract.component(_declared())
    assert dict(component.io.dynamic_axes["images"]) == {0: "batch"}
    profile = component.tensorrt_profile["images"]
    assert profile.min_shape == (1, 3, 192, 192) and profile.max_shape[1:] == (3, 192, 192)


def test_awml_960_pipeline_gives_960_input_and_18900_anchors(awml_shaped_cfg):
    """AWML's yolox-s-opt-elan test pipeline (960x960, keep_ratio, pad_to_square): 120² + 60² + 30² anchors."""
    from projects.yolox.contract import YoloxContract, input_hw
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    cfg = copy.deepcopy(awml_shaped_cfg)
    cfg.test_pipeline[1]["scale"] = (960, 960)
    contract = YoloxContract(input_hw(build_preprocessing_pipeline(cfg)), (8, 16, 32), 8)
    assert contract.output_shape() == (None, 120 * 120 + 60 * 60 + 30 * 30, 13)


def test_image_dependent_input_size_is_refused(awml_shaped_cfg):
    from projects.yolox.contract import input_hw
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    cfg = copy.deepcopy(awml_shaped_cfg)
    cfg.test_pipeline = [step for step in cfg.test_pipeline if step["type"] != "Pad"]
    message = _error(lambda: input_hw(build_preprocessing_pipeline(cfg)))
    assert message.startswith("test_pipeline | the network input size depends on the image")


def test_declared_shapes_and_profiles_are_checked():
    from projects.yolox.contract import YoloxContract

    contract = YoloxContract((192, 192), (8, 16, 32), 3)
    wrong = _declared(outputs=[{"name": "output", "shape": [-1, 18900, 13]}])
    assert "components.model.io.outputs.output.shape | differs from the model config" in _error(
        lambda: contract.component(wrong)
    )
    profile = {"images": {"min_shape": [1, 3, 960, 960], "opt_shape": [1, 3, 960, 960], "max_shape": [1, 3, 960, 960]}}
    declared = parse_components(
        {"model": {"io": {"inputs": ["images"], "outputs": ["output"]}, "tensorrt_profile": profile}}
    )
    assert "tensorrt_profile.images.min_shape | differs" in _error(lambda: contract.component(declared["model"]))


def test_autoware_flavour_refuses_a_dynamic_batch_in_one_line():
    from projects.yolox.contract import YoloxContract

    contract = YoloxContract((192, 192), (8, 16, 32), 3, "autoware", 1)
    dynamic = _declared(dynamic_axes={"images": {0: "batch"}, "output": {0: "batch"}})
    assert "dynamic batch refused for the autoware flavour" in _error(lambda: contract.component(dynamic))
    minus_one = _declared(inputs=[{"name": "images", "shape": [-1, 3, 192, 192]}])
    assert "images.shape[0] | dynamic batch refused" in _error(lambda: contract.component(minus_one))
    component = contract.component(_declared())
    assert component.io.inputs[0].shape == (1, 3, 192, 192) and not component.io.dynamic_axes
    assert component.tensorrt_profile["images"].max_shape == (1, 3, 192, 192)


def test_autoware_flavour_writes_static_batch_graphs_and_refuses_a_dynamic_onnx(tmp_path, capsys, onnx_path):
    from projects.yolox.contract import YoloxContract, check_onnx_batch

    work = tmp_path / "aw"
    code = main(
        [
            "yolox",
            str(AUTOWARE_CONFIG),
            "--mode",
            "onnx",
            "--work-dir",
            str(work),
            "--cfg-options",
            "project.num_images=3",
        ]
    )
    assert code == 0
    for name in ("yolox.onnx", "yolox_nms_ort.onnx", "yolox_nms_trt.onnx"):
        graph = onnx.load(str(work / "onnx" / name))
        assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 1
    contract = YoloxContract((192, 192), (8, 16, 32), 3, "autoware", 1)
    dynamic = onnx.load(str(onnx_path))  # the default (dynamic batch) deployment
    message = _error(lambda: check_onnx_batch(dynamic, contract, "yolox.onnx"))
    assert "dynamic or wrong batch for the autoware flavour" in message and "got 'batch'" in message
    capsys.readouterr()
    argv = ["yolox", str(AUTOWARE_CONFIG), "--mode", "none", "--work-dir", str(tmp_path / "w2"), "--cfg-options"]
    argv += [
        "project.num_images=2",
        "evaluation.backends.pytorch.enabled=false",
        f"evaluation.backends.onnx.artifact={onnx_path}",
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "dynamic or wrong batch for the autoware flavour" in err and "expected 1, got 'batch'" in err


def test_report_has_per_class_ap(deployed):
    _, work, report = deployed
    per_label = report["evaluation"]["onnx"]["metrics"]["modes"]["iou_2d"]["per_label"]
    assert set(per_label) == {"circle", "rectangle", "triangle"}
    markdown = (work / "runs").glob("*/report.md")
    text = sorted(markdown)[-1].read_text()
    assert "per-class AP (iou_2d):" in text
    for label, result in per_label.items():
        assert f"| {label} | {result['num_gt']} | {result['num_pred']} |" in text
