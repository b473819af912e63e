"""AWML's calibration infos (``T4CalibrationClassificationDataset``) as an evaluation source.

An info file is what AWML's ``tools/calibration_classification/create_data_t4dataset.py`` writes with
``mmengine.dump``: a pickle of ``{"metainfo": {...}, "data_list": [info, ...]}`` where each info holds
``image: {img_path, cam2img (3x3), lidar2cam (4x4), distortion_coefficients (5)}``, ``lidar_points: {lidar_path,
num_pts_feats (default 5)}``, ``sample_idx``, ``frame_id`` and more. Relative paths are taken from the info
file's folder. The file is data, not code: it is unpickled with an allowlist (builtins containers and NumPy arrays
only), so a pickle that would run code is refused on one line.

AWML draws the label at random in the transform; for a repeatable evaluation each info gives two samples here: the
recorded calibration (``calibrated``) and the same one perturbed by :class:`MiscalibrationGenerator`
(``miscalibrated``).
"""

from __future__ import annotations

import pathlib
import pickle
from typing import Any

import numpy as np

from awml_deploy.core.errors import expected, fail
from projects.calibration_status.miscalibration import LABELS, MiscalibrationGenerator, perturb_extrinsics

_ALLOWED = {
    ("collections", "OrderedDict"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
}


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in an info file")
        return super().find_class(module, name)


def read_infos(path: str | pathlib.Path) -> list[dict]:
    """The ``data_list`` of a calibration info pickle, every entry checked.

    Args:
        path (str | pathlib.Path): The ``.pkl`` file.

    Returns:
        list[dict]: The infos.
    """
    path = pathlib.Path(path)
    try:
        with path.open("rb") as handle:
            data = _DataUnpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as err:
        fail(f"{path} | cannot read the calibration infos. Note: {type(err).__name__}: {err}", cause=err)
    if not isinstance(data, dict) or not isinstance(data.get("data_list"), list) or not data["data_list"]:
        expected(str(path), "not calibration infos", "{'metainfo': ..., 'data_list': [non-empty]}", type(data).__name__)
    for index, info in enumerate(data["data_list"]):
        _check_info(info, f"{path}: data_list[{index}]")
    return data["data_list"]


def _check_info(info: object, where: str) -> None:
    image = info.get("image") if isinstance(info, dict) else None
    lidar = info.get("lidar_points") if isinstance(info, dict) else None
    if not isinstance(image, dict) or not isinstance(lidar, dict):
        expected(where, "malformed info", "a dict with 'image' and 'lidar_points' dicts", type(info).__name__)
    for key, shape in (("cam2img", (3, 3)), ("lidar2cam", (4, 4)), ("distortion_coefficients", (5,))):
        try:
            value = np.asarray(image.get(key), dtype=np.float64)
        except (TypeError, ValueError):
            value = np.zeros(0)
        if value.shape != shape or not np.isfinite(value).all():
            expected(
                f"{where}.image.{key}", "missing or malformed", f"finite numbers of shape {list(shape)}", image.get(key)
            )
    for key, holder in (("img_path", image), ("lidar_path", lidar)):
        if not isinstance(holder.get(key), str):
            expected(f"{where}.{key}", "missing", "a file path", holder.get(key))


class T4CalibrationSamples:
    """Samples from AWML calibration infos: each info as calibrated and as miscalibrated (deterministic).

    Args:
        path (str | pathlib.Path): Info pickle.
        limit (int | None): Use only the first ``limit`` samples. Defaults to all.
        miscalibration_seed (int | None): Seed of the perturbations. Defaults to 0.
    """

    def __init__(
        self, path: str | pathlib.Path, limit: int | None = None, miscalibration_seed: int | None = None
    ) -> None:
        self.path = pathlib.Path(path)
        self.infos = read_infos(self.path)
        self.generator = MiscalibrationGenerator(0 if miscalibration_seed is None else miscalibration_seed)
        count = 2 * len(self.infos)
        self.count = count if limit is None else min(limit, count)

    def __len__(self) -> int:
        return self.count

    def _file(self, value: str, where: str) -> pathlib.Path:
        file = pathlib.Path(value)
        file = file if file.is_absolute() else self.path.parent / file
        if not file.is_file():
            expected(where, "file not found", "an existing file (relative paths: next to the info file)", str(file))
        return file

    def get_sample(self, index: int) -> dict:
        """Sample ``index``: info ``index // 2``; even indices calibrated, odd miscalibrated."""
        import cv2

        info, label = self.infos[index // 2], LABELS[index % 2]
        where = f"{self.path}: data_list[{index // 2}]"
        image = cv2.imread(str(self._file(info["image"]["img_path"], f"{where}.image.img_path")))
        if image is None:
            fail(f"{where}.image.img_path | not a readable image. Note: expected a PNG/JPEG file")
        lidar = info["lidar_points"]
        width = int(lidar.get("num_pts_feats", 5))
        raw = np.fromfile(self._file(lidar["lidar_path"], f"{where}.lidar_points.lidar_path"), dtype=np.float32)
        if width < 4 or raw.size % width:
            expected(f"{where}.lidar_points", "point file does not fit num_pts_feats", f"N x {width} float32", raw.size)
        extrinsics = np.asarray(info["image"]["lidar2cam"], dtype=np.float64)
        if label != LABELS[0]:
            extrinsics = perturb_extrinsics(extrinsics, *self.generator.perturbation(index, True))
        return {
            "uuid": f"{info.get('sample_idx', index // 2)}_{info.get('frame_id', 'camera')}_{label}",
            "timestamp_us": int(info["image"].get("timestamp", index)),
            "image": np.ascontiguousarray(image[..., ::-1]),
            "points": raw.reshape(-1, width)[:, :4],
            "intrinsics": np.asarray(info["image"]["cam2img"], dtype=np.float64),
            "distortion": np.asarray(info["image"]["distortion_coefficients"], dtype=np.float64),
            "extrinsics": extrinsics,
            "ground_truth": label,
        }
