"""Export contract of the ONNX graph, ONNX Runtime vs PyTorch parity, and accuracy of the committed checkpoint."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from awml_deploy.config import load_config
from awml_deploy.exporters import OnnxExporter, read_metadata
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


def test_export_contract_names_dynamic_batch_and_metadata(exported):
    path, info, _, _, _ = exported
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    (graph_input,) = model.graph.input
    (graph_output,) = model.graph.output
    assert graph_input.name == "input" and graph_output.name == "logits"
    dims = [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    assert dims == ["batch", 5, 96, 160]
    out_dims = [d.dim_param or d.dim_value for d in graph_output.type.tensor_type.shape.dim]
    assert out_dims[0] == "batch" and out_dims[1] == 2
    assert graph_input.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    meta = read_metadata(path)
    assert meta["component"] == "model" and meta["producer"] == "awml-deploy" and meta["dynamo"] == "false"
    io = json.loads(meta["io"])
    assert [t["name"] for t in io["inputs"]] == ["input"] and io["dynamic_axes"]["input"] == {"0": "batch"}
    assert info.num_nodes > 20 and info.opset == 17


def test_onnxruntime_matches_pytorch_for_several_batch_sizes(exported):
    path, _, model, inputs, _ = exported
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in (inputs[:1], inputs[1:4], inputs[4:12]):
        (ort_logits,) = session.run(["logits"], {"input": batch})
        with torch.inference_mode():
            torch_logits = model(torch.from_numpy(batch)).numpy()
        assert ort_logits.shape == (len(batch), 2)
        np.testing.assert_allclose(ort_logits, torch_logits, atol=1e-4, rtol=1e-3)
        assert (ort_logits.argmax(1) == torch_logits.argmax(1)).all()


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
