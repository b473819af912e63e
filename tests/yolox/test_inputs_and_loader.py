"""Preprocessing vs mmdet's test pipeline, host decoding vs mmdet's predict, checkpoint loader, bad inputs."""

import copy

import numpy as np
import onnx
import pytest
import torch
from conftest import ASSETS, CHECKPOINT

from awml_deploy.cli.main import main
from awml_deploy.core.errors import DeployError


def _mmdet_inputs(model_cfg, image_path, model=None):
    """The tensor mmdet's test pipeline + DetDataPreprocessor produce for one file (and its data sample)."""
    from mmengine.dataset import Compose
    from mmengine.registry import init_default_scope

    from projects.yolox.model import build_model

    init_default_scope("mmdet")
    pipeline = Compose(copy.deepcopy(model_cfg.test_pipeline))
    data = pipeline({"img_path": str(image_path), "img_id": 0})
    model = model if model is not None else build_model(model_cfg).eval()
    batch = model.data_preprocessor({"inputs": [data["inputs"]], "data_samples": [data["data_samples"]]}, False)
    return batch["inputs"], batch["data_samples"]


@pytest.mark.parametrize("index", [0, 7])
def test_preprocessing_equals_mmdet_test_pipeline(model_cfg, samples, index):
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    path = samples.entries[index][0]
    expected, data_samples = _mmdet_inputs(model_cfg, path)
    tensor, meta = build_preprocessing_pipeline(model_cfg)(samples.get_sample(index)["image"])
    assert tensor.dtype == np.float32 and tensor.shape == tuple(expected.shape) == (1, 3, 192, 192)
    np.testing.assert_array_equal(tensor, expected.numpy())
    assert meta.ori_shape == (192, 256) == tuple(data_samples[0].ori_shape)
    assert meta.img_shape == tuple(data_samples[0].img_shape) == (192, 192)  # mmdet's Pad: the padded size
    assert meta.input_shape == tuple(data_samples[0].batch_input_shape)
    np.testing.assert_allclose(meta.scale_factor, data_samples[0].scale_factor)


def test_preprocessing_follows_the_config(model_cfg):
    """A different test pipeline (size, pad value, normalisation, RGB) changes the output accordingly."""
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    cfg = copy.deepcopy(model_cfg)
    cfg.test_pipeline[1]["scale"] = (128, 96)
    cfg.test_pipeline[2]["pad_val"] = {"img": (0, 0, 0)}
    cfg.model.data_preprocessor.update(mean=[10.0, 20.0, 30.0], std=[2.0, 2.0, 2.0], bgr_to_rgb=True)
    image = np.zeros((192, 256, 3), np.uint8)
    image[..., 0] = 100  # blue
    tensor, meta = build_preprocessing_pipeline(cfg)(image)
    assert tensor.shape == (1, 3, 128, 128) and meta.scale_factor == (0.5, 0.5)
    assert tensor[0, 2, 0, 0] == pytest.approx((100 - 30) / 2)  # blue went to channel 2, minus its mean
    assert tensor[0, 0, 0, 0] == pytest.approx(-10 / 2)
    assert tensor[0, 0, 120, 0] == pytest.approx(-10 / 2)  # padded rows: pad_val 0, normalised


def test_unknown_transform_is_one_clear_error(model_cfg):
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    cfg = copy.deepcopy(model_cfg)
    cfg.test_pipeline.insert(1, {"type": "RandomFlip", "prob": 0.5})
    with pytest.raises(
        DeployError, match=r"test_pipeline\[1\].type \| unsupported transform.*got 'RandomFlip'"
    ) as info:
        build_preprocessing_pipeline(cfg)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((192, 256, 3), np.float32), "wrong dtype. Note: expected uint8"),
        (np.zeros((192, 256), np.uint8), "wrong shape. Note: expected uint8 [H, W, 3]"),
        (np.zeros((192, 256, 4), np.uint8), "got [192, 256, 4]"),
        ([[1, 2, 3]], "not an array"),
    ],
)
def test_bad_images_are_rejected(model_cfg, image, message):
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    with pytest.raises(DeployError) as info:
        build_preprocessing_pipeline(model_cfg)(image)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_host_decoding_equals_mmdet_predict(model_cfg, samples):
    """Autoware layout + host decode/NMS/rescale give mmdet's own predict() results."""
    from projects.yolox.decode import YoloxDecoder
    from projects.yolox.export import autoware_wrapper
    from projects.yolox.model import load_yolox
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    model = load_yolox(str(CHECKPOINT), "cpu", model_cfg)
    decoder = YoloxDecoder.from_model_config(model_cfg)
    preprocess = build_preprocessing_pipeline(model_cfg)
    for index in (1, 2):
        inputs, data_samples = _mmdet_inputs(model_cfg, samples.entries[index][0], model)
        with torch.no_grad():
            expected = model.predict(inputs, data_samples, rescale=True)[0].pred_instances
            tensor, meta = preprocess(samples.get_sample(index)["image"])
            raw = autoware_wrapper(model)(torch.from_numpy(tensor)).numpy()
        got = decoder(raw, meta.input_shape, meta.scale_factor)
        order = torch.argsort(expected.scores, descending=True, stable=True)
        assert len(got.scores) == len(expected.scores) > 0
        np.testing.assert_allclose(got.scores, expected.scores[order].numpy(), atol=1e-5)
        np.testing.assert_array_equal(got.labels, expected.labels[order].numpy())
        np.testing.assert_allclose(got.boxes, expected.bboxes[order].numpy(), atol=1e-3)


def test_committed_checkpoint_is_a_plain_state_dict():
    state = torch.load(str(CHECKPOINT), map_location="cpu", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert "bbox_head.multi_level_conv_cls.0.weight" in state


def test_loader_accepts_wrapped_and_rejects_mismatched_checkpoints(model_cfg, tmp_path):
    from projects.yolox.model import load_yolox

    state = torch.load(str(CHECKPOINT), map_location="cpu", weights_only=True)
    wrapped = tmp_path / "wrapped.pth"
    torch.save({"state_dict": state}, wrapped)
    assert not load_yolox(str(wrapped), "cpu", model_cfg).training
    partial = tmp_path / "partial.pth"
    torch.save({k: v for k, v in state.items() if not k.startswith("bbox_head.")}, partial)
    with pytest.raises(DeployError, match="does not match the model config.*missing") as info:
        load_yolox(str(partial), "cpu", model_cfg)
    assert "\n" not in str(info.value)


def _cli_error(capsys, argv):
    """Exit code and the error line; log lines may precede it on stderr, the error is printed once, last."""
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    errors = [line for line in err if line.startswith("awml-deploy: error: ")]
    assert errors == [err[-1]] and "Traceback" not in "\n".join(err)
    return code, errors


def test_broken_checkpoint_is_one_line_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.pth"
    broken.write_bytes(CHECKPOINT.read_bytes()[:1000])
    code, err = _cli_error(
        capsys, ["yolox", "--mode", "onnx", "--work-dir", str(tmp_path / "w"), "--checkpoint", str(broken)]
    )
    assert code == 2 and len(err) == 1
    assert f"checkpoint {broken} | cannot be loaded weights-only" in err[0]
    assert "project.trust_checkpoint=True" in err[0]


def test_onnx_missing_output_is_one_line_exit_2(tmp_path, capsys, onnx_path):
    model = onnx.load(str(onnx_path))
    model.graph.output[0].name = "scores"
    for node in model.graph.node:
        node.output[:] = ["scores" if o == "output" else o for o in node.output]
    bad = tmp_path / "bad.onnx"
    onnx.save(model, str(bad))
    argv = [
        "yolox",
        "--mode",
        "none",
        "--work-dir",
        str(tmp_path / "w"),
        "--cfg-options",
        "project.num_images=2",
        "evaluation.backends.pytorch.enabled=false",
        f"evaluation.backends.onnx.artifact={bad}",
    ]
    code, err = _cli_error(capsys, argv)
    assert code == 2 and len(err) == 1
    assert "missing output 'output'" in err[0] and "got ['scores']" in err[0]


def test_missing_annotations_is_one_clear_error(tmp_path):
    from projects.yolox.data import YoloxSamples

    with pytest.raises(DeployError, match="annotations.json"):
        YoloxSamples(tmp_path)
    assert (ASSETS / "eval" / "annotations.json").is_file()
