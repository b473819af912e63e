"""AWML's T4 2D infos (yolox_infos_val.json) as the evaluation source through runtime_io.info_file."""

import json
import re

import numpy as np
import pytest
from conftest import REPO

from awml_deploy.cli.main import main
from awml_deploy.core.errors import DeployError
from projects.yolox.t4_2d import write_t4_2d_dataset

SHAPES = ("circle", "rectangle", "triangle")


def _deploy(capsys, work, info, *options):
    argv = ["yolox", "--mode", "onnx", "--work-dir", str(work), "--cfg-options", f"runtime_io.info_file={str(info)!r}"]
    code = main([*argv, *options])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _error_line(err):
    lines = [line for line in err.strip().splitlines() if line.startswith("awml-deploy: error: ")]
    assert len(lines) == 1
    return lines[0]


def test_t4_infos_deploy_end_to_end(tmp_path, capsys):
    info = write_t4_2d_dataset(tmp_path / "t4", count=10, seed=3)
    doc = json.loads(info.read_text())
    assert all(entry["img_path"].startswith("/") for entry in doc["data_list"])  # absolute, as AWML writes them
    # 10 generated T4-shaped images, not the 150 embedded ones the default floor (0.7) was set on
    code, _ = _deploy(capsys, tmp_path / "work", info, "evaluation.min_primary_metric=0.5")
    assert code == 0
    run = sorted((tmp_path / "work" / "runs").iterdir())[-1]
    report = json.loads((run / "report.json").read_text())
    per_label = report["evaluation"]["onnx"]["metrics"]["modes"]["iou_2d"]["per_label"]
    for index, name in enumerate(SHAPES):
        expected = sum(i["bbox_label"] == index for e in doc["data_list"] for i in e["instances"])
        assert per_label[name]["num_gt"] == expected
    assert report["evaluation"]["onnx"]["primary_metric"]["value"] > 0.5


def test_relative_paths_class_order_and_ignored_instances(tmp_path, model_cfg):
    """Labels index the file's metainfo.classes (any order); ignore_flag=1 instances are not ground truth."""
    from projects.yolox.data import T4InfoSamples

    info = write_t4_2d_dataset(
        tmp_path / "t4", count=4, seed=5, classes=["triangle", "circle", "rectangle"], relative=True
    )
    doc = json.loads(info.read_text())
    assert not doc["data_list"][0]["img_path"].startswith("/")
    doc["data_list"][0]["instances"][0]["ignore_flag"] = 1
    info.write_text(json.dumps(doc))
    samples = T4InfoSamples(info, SHAPES)
    for index, entry in enumerate(doc["data_list"]):
        kept = [i for i in entry["instances"] if i["ignore_flag"] == 0]
        truth = samples.get_sample(index)["ground_truth"]
        assert truth["labels"] == [doc["metainfo"]["classes"][i["bbox_label"]] for i in kept]
        np.testing.assert_allclose(truth["boxes"], np.asarray([i["bbox"] for i in kept], np.float32).reshape(-1, 4))
        assert samples.get_sample(index)["image"].shape == (entry["height"], entry["width"], 3)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.pop("data_list"), "runtime_io.info_file | not T4 2D infos"),
        (lambda d: d.update(data_list=[]), "runtime_io.info_file data_list | holds no images"),
        (
            lambda d: d["data_list"][1]["instances"][0].update(bbox_label=7),
            "data_list[1].instances[0].bbox_label | invalid label",
        ),
        (
            lambda d: d["data_list"][0]["instances"][0].update(bbox=[5, 5, 1, 1]),
            "data_list[0].instances[0].bbox | invalid box",
        ),
        (lambda d: d["data_list"][2].update(img_path="/nonexistent/x.jpg"), "data_list[2].img_path | image not found"),
        (
            lambda d: d["metainfo"].update(classes=["car", "truck", "bus"]),
            "metainfo.classes | classes unknown to the model",
        ),
    ],
)
def test_bad_infos_are_one_line_exit_2_before_any_work(tmp_path, capsys, edit, message):
    info = write_t4_2d_dataset(tmp_path / "t4", count=3, seed=1)
    doc = json.loads(info.read_text())
    edit(doc)
    info.write_text(json.dumps(doc))
    work = tmp_path / "work"
    code, err = _deploy(capsys, work, info)
    assert code == 2 and message in _error_line(err)
    assert not work.exists()


def test_no_ground_truth_is_said_in_one_line(tmp_path, capsys):
    info = write_t4_2d_dataset(tmp_path / "t4", count=3, seed=2, empty_every=1)
    assert all(not e["instances"] for e in json.loads(info.read_text())["data_list"])
    code, _ = _deploy(capsys, tmp_path / "work", info, "evaluation.min_primary_metric=None")
    assert code == 0
    log = next((tmp_path / "work" / "runs").glob("*/deploy.log")).read_text()
    lines = [line for line in log.splitlines() if "hold no ground-truth boxes" in line]
    assert len(lines) == 1 and "WARNING" in lines[0] and "mAP is n/a" in lines[0]


def test_data_dir_and_info_file_together_are_refused(tmp_path):
    from projects.yolox.data import make_samples
    from projects.yolox.settings import parse_settings

    settings = parse_settings({"data_dir": str(REPO / "projects" / "yolox" / "assets" / "eval")})
    with pytest.raises(DeployError, match=re.escape("project.data_dir | given together with runtime_io.info_file")):
        make_samples(settings, str(tmp_path / "x.json"), {}, SHAPES)
