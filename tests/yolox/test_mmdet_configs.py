"""The project on mmdet's own YOLOX config (yolox_tiny, 416x416) with Autoware's 8 object classes, random weights."""

import pathlib

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

AUTOWARE_CLASSES = ["UNKNOWN", "CAR", "TRUCK", "BUS", "BICYCLE", "MOTORBIKE", "PEDESTRIAN", "ANIMAL"]
NUM_ANCHORS_416 = 52 * 52 + 26 * 26 + 13 * 13


@pytest.fixture(scope="module")
def tiny_cfg(tmp_path_factory):
    import mmdet

    from projects.yolox.model import load_model_config

    base = pathlib.Path(mmdet.__file__).parent / ".mim" / "configs" / "yolox" / "yolox_tiny_8xb8-300e_coco.py"
    path = tmp_path_factory.mktemp("cfg") / "yolox_tiny_autoware.py"
    path.write_text(f"_base_ = [{str(base)!r}]\nmodel = dict(bbox_head=dict(num_classes={len(AUTOWARE_CLASSES)}))\n")
    return load_model_config(path)


@pytest.fixture(scope="module")
def exported(tiny_cfg, samples, tmp_path_factory):
    """Random yolox_tiny weights (BN statistics randomised) saved, reloaded and exported by the project pipeline."""
    from awml_deploy.config.components import parse_components
    from awml_deploy.config.sections import parse_onnx_config
    from projects.yolox.decode import YoloxDecoder
    from projects.yolox.export import YoloxComponentBuilder, YoloxExportPipeline
    from projects.yolox.model import build_model, load_yolox
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    out = tmp_path_factory.mktemp("tiny")
    torch.manual_seed(0)
    model = build_model(tiny_cfg)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    torch.save(model.state_dict(), out / "tiny.pth")
    model = load_yolox(str(out / "tiny.pth"), "cpu", tiny_cfg)
    preprocess = build_preprocessing_pipeline(tiny_cfg)
    decoder = YoloxDecoder.from_model_config(tiny_cfg)
    io = {
        "inputs": [{"name": "images", "dtype": "float32"}],
        "outputs": [{"name": "output", "dtype": "float32"}],
        "dynamic_axes": {"images": {0: "batch"}, "output": {0: "batch"}},
    }
    components = parse_components({"model": {"onnx_file": "yolox_tiny.onnx", "io": io}})
    args = dict(
        strides=decoder.strides,
        num_classes=len(AUTOWARE_CLASSES),
        score_threshold=0.3,
        iou_threshold=0.65,
        max_output_boxes=100,
    )
    pipeline = YoloxExportPipeline(YoloxComponentBuilder(preprocess), ("onnx", "tensorrt"), args)
    pipeline.export_onnx(model, samples, 0, components, parse_onnx_config({}), out, {"producer": "test"})
    return model, preprocess, decoder, out


def test_class_names_come_from_the_deploy_config(tiny_cfg):
    from awml_deploy.core.errors import DeployError
    from projects.yolox.model import class_names

    assert class_names(tiny_cfg, AUTOWARE_CLASSES) == tuple(AUTOWARE_CLASSES)
    with pytest.raises(DeployError, match="expected 8 unique names"):
        class_names(tiny_cfg)  # the COCO config has no names for 8 classes


def test_preprocessing_of_the_416_config(tiny_cfg, samples):
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    tensor, meta = build_preprocessing_pipeline(tiny_cfg)(samples.get_sample(0)["image"])
    assert tensor.shape == (1, 3, 416, 416) and meta.img_shape == (416, 416)
    assert meta.scale_factor == (1.625, 1.625)
    assert (tensor[0, :, 312:, :] == 114).all()  # letterbox padding (Pad pad_val), no normalisation for YOLOX


def test_autoware_layout_and_parity_for_yolox_tiny(exported, samples):
    model, preprocess, decoder, out = exported
    graph = onnx.load(str(out / "yolox_tiny.onnx"))
    dims = [d.dim_param or d.dim_value for d in graph.graph.output[0].type.tensor_type.shape.dim]
    assert dims == ["batch", NUM_ANCHORS_416, 4 + 1 + len(AUTOWARE_CLASSES)]
    session = ort.InferenceSession(str(out / "yolox_tiny.onnx"), providers=["CPUExecutionProvider"])
    tensors = [preprocess(samples.get_sample(i)["image"])[0] for i in range(2)]
    got = session.run(["output"], {"images": np.concatenate(tensors)})[0]
    from projects.yolox.export import autoware_wrapper

    with torch.no_grad():
        ref = autoware_wrapper(model)(torch.from_numpy(np.concatenate(tensors))).numpy()
    # random weights give activations up to ~1e3: float32 accumulation differences scale with them
    assert np.abs(got - ref).max() <= 1e-5 * np.abs(ref).max()


def test_nms_variants_for_yolox_tiny(exported, samples):
    _, preprocess, decoder, out = exported
    session = ort.InferenceSession(str(out / "yolox_tiny_nms_ort.onnx"), providers=["CPUExecutionProvider"])
    tensor, meta = preprocess(samples.get_sample(3)["image"])
    raw, boxes, scores, classes, _ = session.run(None, {"images": tensor})
    assert raw.shape == (1, NUM_ANCHORS_416, 13) and boxes.shape[1:] == (4,)
    assert ((scores > 0.3) & (classes >= 0) & (classes < len(AUTOWARE_CLASSES))).all()
    trt = onnx.load(str(out / "yolox_tiny_nms_trt.onnx"))
    assert [n.op_type for n in trt.graph.node][-1] == "EfficientNMS_TRT"
