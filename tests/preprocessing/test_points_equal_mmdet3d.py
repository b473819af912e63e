"""build_preprocessing_pipeline on point clouds: bit for bit the points of mmdet3d's own transforms, on the same
T4-shaped frames (5-column .bin, a past sweep with lidar2sensor, written by datasets.t4_dataset)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from awml_deploy.datasets import info_pkl, t4_dataset
from awml_deploy.preprocessing.builder import build_preprocessing_pipeline

RANGE = [-30.0, -30.0, -3.0, 30.0, 30.0, 5.0]


def awml_pipeline(**sweeps) -> list[dict]:
    """The test pipeline of AWML's T4 CenterPoint configs (their values; sweeps options overridable)."""
    multi = dict(
        type="LoadPointsFromMultiSweeps",
        sweeps_num=1,
        load_dim=5,
        use_dim=[0, 1, 2, 3, 4],
        pad_empty_sweeps=True,
        remove_close=True,
        backend_args=None,
        test_mode=True,
    )
    multi.update(sweeps)
    return [
        dict(type="LoadPointsFromFile", coord_type="LIDAR", load_dim=5, use_dim=5, backend_args=None),
        multi,
        dict(type="PointsRangeFilter", point_cloud_range=RANGE),
        dict(type="Pack3DDetInputs", keys=["points", "gt_bboxes_3d", "gt_labels_3d"]),
    ]


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    root = tmp_path_factory.mktemp("t4")
    return info_pkl.load_info_pkl(t4_dataset.write_t4_dataset(str(root), num_frames=3), str(root)).frames


def import_mmdet3d_transforms() -> None:
    """Registers mmdet3d's own loading and 3D transforms.

    ``mmdet3d.datasets/__init__`` also imports the nuScenes utilities, which need pyquaternion; when that is not
    installed, the two transform modules are imported from their files under their real names with the two parent
    packages entered as plain packages (their ``__init__`` skipped). The transforms under test are mmdet3d's code.
    """
    try:
        import mmdet3d.datasets  # noqa: F401

        return
    except ModuleNotFoundError as err:
        if err.name != "pyquaternion":
            raise
    import importlib
    import pathlib
    import sys
    import types

    import mmdet3d

    base = pathlib.Path(mmdet3d.__file__).parent / "datasets"
    for name, folder in (("mmdet3d.datasets", base), ("mmdet3d.datasets.transforms", base / "transforms")):
        if name not in sys.modules or not hasattr(sys.modules[name], "__path__"):
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            sys.modules[name] = package
    importlib.import_module("mmdet3d.datasets.transforms.loading")
    importlib.import_module("mmdet3d.datasets.transforms.transforms_3d")


def mmdet3d_points(pipeline: list[dict], results: dict) -> np.ndarray:
    from mmdet3d.registry import TRANSFORMS
    from mmengine.registry import init_default_scope

    import_mmdet3d_transforms()
    init_default_scope("mmdet3d")
    for step in pipeline[:-1]:  # Pack3DDetInputs turns points into a tensor-only dict
        results = TRANSFORMS.build(copy.deepcopy(step))(results)
    return results["points"].tensor.numpy()


def assert_bitwise(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == theirs.dtype == np.float32 and ours.shape == theirs.shape
    assert np.array_equal(ours.view(np.uint32), theirs.view(np.uint32))


@pytest.mark.parametrize(
    "sweeps",
    [
        {},
        {"use_dim": [0, 1, 2, 4]},
        {"remove_close": False},
        {"sweeps_num": 0},
        {"sweeps_num": 3},
    ],
)
@pytest.mark.parametrize("index", [0, 1, 2])
def test_t4_frames_bit_for_bit(frames, sweeps, index) -> None:
    pytest.importorskip("mmdet3d")
    pipeline = awml_pipeline(**sweeps)
    results = t4_dataset.frame_results(frames[index])
    ours = build_preprocessing_pipeline({"test_pipeline": pipeline})(copy.deepcopy(results))["points"]
    assert_bitwise(ours, mmdet3d_points(pipeline, copy.deepcopy(results)))
    if index > 0 and sweeps.get("sweeps_num", 1) > 0:
        lags = np.unique(ours[:, -1])
        np.testing.assert_allclose(lags, [0.0, t4_dataset.SWEEP_LAG_S], atol=1e-6)  # issue 14: {0, 0.1}
        current = (ours[:, -1] == 0).sum()
        assert 0 < current < len(ours)  # current frame and sweep both there


def test_frame_without_sweeps_key_is_padded(frames) -> None:
    """No ``lidar_sweeps`` at all: mmdet3d repeats the frame sweeps_num times (pad_empty_sweeps)."""
    pytest.importorskip("mmdet3d")
    pipeline = awml_pipeline(sweeps_num=2)
    results = t4_dataset.frame_results(frames[1])
    del results["lidar_sweeps"]
    ours = build_preprocessing_pipeline({"test_pipeline": pipeline})(copy.deepcopy(results))["points"]
    assert_bitwise(ours, mmdet3d_points(pipeline, copy.deepcopy(results)))
    alone = build_preprocessing_pipeline({"test_pipeline": awml_pipeline(sweeps_num=0)})(copy.deepcopy(results))
    assert len(ours) > 2 * len(alone["points"]) and len(ours) <= 3 * len(alone["points"])


def test_load_only_and_intensity_norm(frames) -> None:
    pytest.importorskip("mmdet3d")
    pipeline = [
        dict(type="LoadPointsFromFile", coord_type="LIDAR", load_dim=5, use_dim=[0, 1, 2, 3], norm_intensity=True),
        dict(type="PointsRangeFilter", point_cloud_range=RANGE),
        dict(type="Pack3DDetInputs", keys=["points"]),
    ]
    results = t4_dataset.frame_results(frames[2])
    ours = build_preprocessing_pipeline({"test_pipeline": pipeline})(copy.deepcopy(results))["points"]
    assert_bitwise(ours, mmdet3d_points(pipeline, copy.deepcopy(results)))


def test_dataloader_pipeline_wins_over_test_pipeline() -> None:
    cfg = {"test_pipeline": [{"type": "NoSuch"}], "test_dataloader": {"dataset": {"pipeline": awml_pipeline()}}}
    pipeline = build_preprocessing_pipeline(cfg)
    assert pipeline.source == "test_dataloader.dataset.pipeline"
    assert pipeline.names[:3] == ("LoadPointsFromFile", "LoadPointsFromMultiSweeps", "PointsRangeFilter")


@pytest.mark.parametrize(
    "step, match",
    [
        ({"type": "GlobalRotScaleTrans"}, r"test_pipeline\[1\]\.type \| unsupported transform"),
        ({"type": "LoadPointsFromMultiSweeps", "sweeps": 3}, r"test_pipeline\[1\]\.sweeps \| unknown key"),
        ({"type": "LoadPointsFromMultiSweeps", "use_dim": [0, 5]}, r"test_pipeline\[1\]\.use_dim \| uses a column"),
        ({"type": "LoadPointsFromMultiSweeps", "pad_empty_sweeps": "yes"}, r"pad_empty_sweeps \| must be a bool"),
        ({"type": "PointsRangeFilter", "point_cloud_range": [1, 2]}, r"point_cloud_range \| needs six numbers"),
    ],
)
def test_bad_steps_are_one_line_errors(step, match) -> None:
    cfg = {"test_pipeline": [awml_pipeline()[0], step]}
    with pytest.raises(DeployError, match=match) as err:
        build_preprocessing_pipeline(cfg)
    assert "\n" not in str(err.value)


def test_random_sweep_sampling_is_refused(frames) -> None:
    results = t4_dataset.frame_results(frames[1])
    results["lidar_sweeps"] = results["lidar_sweeps"] * 3
    pipeline = build_preprocessing_pipeline({"test_pipeline": awml_pipeline(sweeps_num=2, test_mode=False)})
    with pytest.raises(DeployError, match=r"test_mode \| random sweep sampling"):
        pipeline(results)
