"""Export contract (names, shapes, dynamic batch, metadata, NMS variants) and PyTorch ↔ ONNX Runtime parity."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from conftest import CHECKPOINT, NUM_IMAGES

from awml_deploy.exporters import read_metadata

NUM_ANCHORS = 24 * 24 + 12 * 12 + 6 * 6  # 192x192 input, strides 8/16/32
NUM_CLASSES = 3


def _session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def _dims(value_info):
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def test_cli_deploy_passes_with_report(deployed):
    code, _, report = deployed
    gates = {g["name"]: g["status"] for g in report["gates"]}
    assert code == 0 and report["passed"], gates
    assert gates["export.onnx"] == "passed" and gates["verification.pytorch_cpu_vs_onnx_cpu"] == "passed"
    scenario = report["verification"]["pytorch_cpu_vs_onnx_cpu"]
    assert set(scenario["summary"]) == {"output", "decoded_boxes", "decoded_scores"}
    assert scenario["summary"]["output"]["max_abs"] < 1e-4
    for backend in ("pytorch", "onnx"):
        entry = report["evaluation"][backend]
        assert entry["num_samples"] == NUM_IMAGES and entry["primary_metric"]["name"] == "map_iou_2d"
        assert entry["primary_metric"]["value"] >= 0.5
        assert set(entry["metrics"]["modes"]["iou_2d"]["per_label"]) == {"circle", "rectangle", "triangle"}
        assert {"preprocess_ms", "model_ms", "postprocess_ms", "total_ms"} <= set(entry["latency"])
    assert abs(report["deltas"]["onnx"]["delta"]) <= 0.01


def test_onnx_contract_names_shapes_metadata(onnx_path, deployed):
    model = onnx.load(str(onnx_path))
    onnx.checker.check_model(model)
    assert [i.name for i in model.graph.input] == ["images"]
    assert [o.name for o in model.graph.output] == ["output"]
    assert _dims(model.graph.input[0]) == ["batch", 3, 192, 192]
    assert _dims(model.graph.output[0])[0] == "batch"
    assert _dims(model.graph.output[0])[1:] == [NUM_ANCHORS, 4 + 1 + NUM_CLASSES]
    meta = read_metadata(onnx_path)
    assert meta["component"] == "model" and meta["producer"] == "awml-deploy"
    assert meta["config_hash"] == deployed[2]["config_hash"]
    assert '"name": "images"' in meta["io"] and '"name": "output"' in meta["io"]


def test_dynamic_batch_equals_single_images(onnx_path, samples, model_cfg):
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    preprocess = build_preprocessing_pipeline(model_cfg)
    batch = np.concatenate([preprocess(samples.get_sample(i)["image"])[0] for i in range(3)])
    session = _session(onnx_path)
    together = session.run(["output"], {"images": batch})[0]
    assert together.shape == (3, NUM_ANCHORS, 8)
    for i in range(3):
        alone = session.run(["output"], {"images": batch[i : i + 1]})[0]
        np.testing.assert_allclose(together[i : i + 1], alone, atol=1e-5)
    # objectness and class scores are sigmoids inside the graph; the regression is raw
    assert together[..., 4:].min() >= 0.0 and together[..., 4:].max() <= 1.0
    assert together[..., 2:4].min() < 0.0


def test_ort_matches_pytorch_raw_and_decoded(onnx_path, samples, model_cfg):
    from projects.yolox.decode import YoloxDecoder
    from projects.yolox.export import autoware_wrapper
    from projects.yolox.model import load_yolox
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    preprocess = build_preprocessing_pipeline(model_cfg)
    decoder = YoloxDecoder.from_model_config(model_cfg)
    model = autoware_wrapper(load_yolox(str(CHECKPOINT), "cpu", model_cfg))
    session = _session(onnx_path)
    total = 0
    for index in range(6):
        tensor, meta = preprocess(samples.get_sample(index)["image"])
        with torch.inference_mode():
            ref = model(torch.from_numpy(tensor)).numpy()
        test = session.run(["output"], {"images": tensor})[0]
        np.testing.assert_allclose(test, ref, atol=1e-4, rtol=1e-3)
        det_ref = decoder(ref, meta.input_shape, meta.scale_factor)
        det_test = decoder(test, meta.input_shape, meta.scale_factor)
        confident = det_ref.scores > 0.3  # away from the threshold, the same objects must come out
        assert confident.any()
        np.testing.assert_array_equal(det_test.labels[: confident.sum()], det_ref.labels[confident])
        np.testing.assert_allclose(det_test.boxes[: confident.sum()], det_ref.boxes[confident], atol=1e-2)
        total += int(confident.sum())
    assert total >= 6


def test_nms_onnx_variant_matches_host_nms(deployed, samples, model_cfg):
    from projects.yolox.decode import YoloxDecoder
    from projects.yolox.preprocessing import build_preprocessing_pipeline

    path = deployed[1] / "onnx" / "yolox_nms_ort.onnx"
    model = onnx.load(str(path))
    assert [o.name for o in model.graph.output] == ["output", "det_boxes", "det_scores", "det_classes", "det_batch"]
    assert any(n.op_type == "NonMaxSuppression" for n in model.graph.node)
    preprocess = build_preprocessing_pipeline(model_cfg)
    decoder = YoloxDecoder.from_model_config(model_cfg)
    session = _session(path)
    for index in range(4):
        tensor, meta = preprocess(samples.get_sample(index)["image"])
        raw, boxes, scores, classes, batch = session.run(None, {"images": tensor})
        assert (batch == 0).all()
        host = decoder(raw, meta.input_shape, meta.scale_factor)
        order = np.argsort(-scores, kind="stable")
        graph = decoder.finish(boxes[order], scores[order], classes[order], meta.scale_factor, run_nms=False)
        assert len(graph.scores) == len(host.scores)
        np.testing.assert_allclose(graph.scores, host.scores, atol=1e-6)
        np.testing.assert_array_equal(graph.labels, host.labels)
        np.testing.assert_allclose(graph.boxes, host.boxes, atol=1e-3)


def test_nms_tensorrt_variant_structure(deployed):
    model = onnx.load(str(deployed[1] / "onnx" / "yolox_nms_trt.onnx"))
    nms = [n for n in model.graph.node if n.op_type == "EfficientNMS_TRT"]
    assert len(nms) == 1
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in nms[0].attribute}
    assert attrs["box_coding"] == 0 and attrs["score_activation"] == 0 and attrs["background_class"] == -1
    assert attrs["max_output_boxes"] == 100 and attrs["plugin_version"] == b"1"
    assert attrs["iou_threshold"] == pytest.approx(0.65) and attrs["score_threshold"] == pytest.approx(0.01)
    assert [o.name for o in model.graph.output] == [
        "num_detections",
        "detection_boxes",
        "detection_scores",
        "detection_classes",
    ]
    assert _dims(model.graph.output[1]) == ["batch", 100, 4]


def test_onnx_backend_with_nms_in_graph_scores_like_host_nms(deployed, tmp_path):
    from awml_deploy.cli.main import main

    work = tmp_path / "work"
    argv = [
        "yolox",
        "--mode",
        "onnx",
        "--work-dir",
        str(work),
        "--cfg-options",
        f"project.num_images={NUM_IMAGES}",
        "project.nms.onnx_in_graph=true",
        "evaluation.backends.pytorch.enabled=false",
    ]
    assert main(argv) == 0
    report = json.loads((sorted((work / "runs").iterdir())[-1] / "report.json").read_text())
    assert report["verification"]["pytorch_cpu_vs_onnx_cpu"]["status"] == "passed"  # raw output of the NMS graph
    in_graph = report["evaluation"]["onnx"]["metrics"]["modes"]["iou_2d"]["per_label"]
    host = deployed[2]["evaluation"]["onnx"]["metrics"]["modes"]["iou_2d"]["per_label"]
    for label, entry in host.items():
        assert in_graph[label]["num_tp"] == entry["num_tp"]
        assert in_graph[label]["ap"]["0.5"] == pytest.approx(entry["ap"]["0.5"], abs=1e-3)
