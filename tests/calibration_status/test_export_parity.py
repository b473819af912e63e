"""Export contract of the ONNX graph, ONNX Runtime vs PyTorch parity, and accuracy of the committed checkpoint."""

import numpy as np
import onnxruntime as ort
import pytest
import torch

from awml_deploy.config import load_config
from awml_deploy.exporters import OnnxExporter
from projects.calibration_status.dataset import CalibrationSamples
from projects.calibration_status.model import load_model
from projects.calibration_status.pipelines import preprocess_sample
from projects.calibration_status.projection import PreprocessSettings
from projects.calibration_status.runner import DEFAULT_CONFIG, DEFAULT_EVAL_SET

NUM_ACCURACY_SAMPLES = 48  # 6 scenes x 4 cameras x (calibrated, miscalibrated)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    torch.set_num_threads(2)
    config = load_config(DEFAULT_CONFIG)
    component = config.components["model"]
    model = load_model(config.checkpoint_path, "cpu")
    samples = CalibrationSamples(DEFAULT_EVAL_SET, limit=NUM_ACCURACY_SAMPLES)
    settings = PreprocessSettings()
    inputs = np.concatenate([preprocess_sample(samples.get_sample(i), settings) for i in range(len(samples))])
    path = tmp_path_factory.mktemp("onnx") / component.onnx_file
    info = OnnxExporter(config.onnx_config, {"producer": "awml-deploy"}).export(
        model, (torch.from_numpy(inputs[:1]),), component, path
    )
    labels = [samples.get_sample(i)["ground_truth"] for i in range(len(samples))]
    return path, info, model, inputs, labels


def test_committed_checkpoint_accuracy_on_eval_subset(exported):
    path, _, _, inputs, labels = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (logits,) = session.run(["logits"], {"input": inputs})
    predicted = np.array(["calibrated", "miscalibrated"])[logits.argmax(1)]
    accuracy = float((predicted == np.array(labels)).mean())
    assert set(labels) == {"calibrated", "miscalibrated"}
    assert accuracy >= 0.9, f"top-1 accuracy {accuracy:.3f} on {len(labels)} samples"


def test_training_replica_matches_the_mmdet_model():
    """tools/train.py --backbone torch trains a plain-PyTorch ResNet; its state dict must mean the same in mmdet's."""
    import importlib.util

    from projects.calibration_status.model import ModelSettings, build_model
    from projects.calibration_status.runner import HERE

    spec = importlib.util.spec_from_file_location("calibration_train", HERE / "tools" / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    torch.manual_seed(0)
    replica = train.build_torch_replica(ModelSettings())
    for module in replica.modules():
        if isinstance(module, torch.nn.BatchNorm2d):  # non-trivial statistics, so BN placement matters
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    model = build_model(ModelSettings())
    model.load_state_dict(replica.state_dict(), strict=True)
    x = torch.randn(2, 5, 96, 160)
    with torch.inference_mode():
        np.testing.assert_allclose(replica.eval()(x).numpy(), model.eval()(x).numpy(), atol=1e-5, rtol=1e-5)
