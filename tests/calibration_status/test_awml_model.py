"""AWML's model config → our network: same parameter names and the same logits as mmpretrain's ImageClassifier."""

import importlib.util

import numpy as np
import pytest
import torch

from awml_deploy.core.errors import DeployError
from projects.calibration_status.awml_config import model_settings
from projects.calibration_status.model import ModelSettings, build_model

MODEL = {
    "type": "mmpretrain.ImageClassifier",
    "backbone": {"type": "ResNet", "depth": 18, "in_channels": 5, "out_indices": (3,), "style": "pytorch"},
    "neck": {"type": "GlobalAveragePooling"},
    "head": {"type": "LinearClsHead", "num_classes": 2, "in_channels": 512, "topk": (1,)},
}


def _randomise_batch_norm(model):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)


def test_model_dict_gives_the_architecture():
    assert model_settings(MODEL, "m") == ModelSettings(depth=18, in_channels=5, base_channels=64, num_classes=2)
    small = {
        **MODEL,
        "backbone": {**MODEL["backbone"], "base_channels": 16},
        "head": {**MODEL["head"], "in_channels": 128},
    }
    assert model_settings(small, "m") == ModelSettings(base_channels=16)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "ImageClassifierX"}, "m.type | unsupported module"),
        ({"neck": {"type": "GeneralizedMeanPooling"}}, "m.neck.type | unsupported module"),
        ({"head": {"type": "LinearClsHead", "num_classes": 2, "in_channels": 256}}, "m.head.in_channels | does not"),
        ({"backbone": {**MODEL["backbone"], "depth": 50}}, "depth | unsupported depth"),
        ({"backbone": {**MODEL["backbone"], "deep_stem": True}}, "m.backbone | unsupported stem"),
    ],
)
def test_unsupported_model_dicts_are_one_line(change, message):
    with pytest.raises(DeployError) as info:
        model_settings({**MODEL, **change}, "m")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_state_dict_names_are_mmpretrain_s():
    names = set(build_model(ModelSettings(base_channels=64)).state_dict())
    assert {"backbone.conv1.weight", "backbone.bn1.running_var", "backbone.layer4.1.bn2.weight"} <= names
    assert {"head.fc.weight", "head.fc.bias"} <= names and not any(n.startswith("neck") for n in names)


@pytest.mark.skipif(importlib.util.find_spec("mmpretrain") is None, reason="mmpretrain is not installed")
def test_same_logits_as_mmpretrain_image_classifier():
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules

    register_all_modules()
    torch.manual_seed(0)
    reference = MODELS.build(MODEL)
    reference.init_weights()
    _randomise_batch_norm(reference)
    ours = build_model(model_settings(MODEL, "model"))
    ours.load_state_dict(reference.state_dict(), strict=True)
    x = torch.randn(2, 5, 96, 160)
    with torch.inference_mode():
        want = reference.eval()(x, mode="tensor").numpy()
        got = ours.eval()(x).numpy()
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)
