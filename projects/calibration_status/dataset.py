"""Camera–LiDAR samples from the synthetic LiDAR scenes, and the committed evaluation set.

A *view* is one scene seen by one camera of :func:`camera.camera_rig`: the rendered RGB image, the LiDAR cloud
(ego frame) and the true K and ``T_cam_lidar``. A *sample* adds a calibration under test (the true one with a
small residual error, or a miscalibrated one) and its label. The evaluation set is stored as scene specs plus
per-sample perturbations (JSON), and re-rendered deterministically; ``points_sha256`` pins each rendered cloud.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
from collections.abc import Iterable

import numpy as np

from awml_deploy.core.errors import DeployError, expected, fail
from awml_deploy.datasets.synthetic_lidar import SceneSpec, points_digest, render_scene, sample_scene
from projects.calibration_status.camera import CameraSpec, camera_rig, render_camera
from projects.calibration_status.miscalibration import LABELS, MiscalibrationGenerator, perturb_extrinsics
from projects.calibration_status.projection import check_intrinsics

EVAL_FORMAT = "awml-deploy/calibration-eval-set/1"


@dataclasses.dataclass(frozen=True)
class View:
    """One scene seen by one camera.

    Attributes:
        scene_seed: Seed of the scene.
        camera: The camera.
        image: (H, W, 3) uint8 RGB.
        points: (N, 4) float32 LiDAR cloud (shared by the scene's views).
    """

    scene_seed: int
    camera: CameraSpec
    image: np.ndarray
    points: np.ndarray


def render_views(spec: SceneSpec, cameras: Iterable[CameraSpec]) -> tuple[list[View], str]:
    """Renders the LiDAR cloud once and one image per camera.

    Args:
        spec (SceneSpec): The scene.
        cameras (Iterable[CameraSpec]): Cameras.

    Returns:
        tuple: The views and the sha256 of the rendered cloud.
    """
    points = render_scene(spec).points
    views = [View(spec.seed, cam, render_camera(spec, cam, spec.seed * 8 + i), points) for i, cam in enumerate(cameras)]
    return views, points_digest(points)


def make_sample(view: View, rotvec: np.ndarray, translation: np.ndarray, label: str, uuid: str, index: int) -> dict:
    """A pipeline sample: the raw sensor data and the calibration under test.

    Args:
        view (View): Scene + camera.
        rotvec (np.ndarray): (3,) camera-frame rotation perturbation (radians).
        translation (np.ndarray): (3,) camera-frame translation perturbation (m).
        label (str): One of :data:`LABELS`.
        uuid (str): Sample id.
        index (int): Sample index (timestamp).

    Returns:
        dict: {uuid, timestamp_us, image, points, intrinsics, extrinsics, ground_truth}.
    """
    return {
        "uuid": uuid,
        "timestamp_us": 100_000 * index,
        "image": view.image,
        "points": view.points,
        "intrinsics": view.camera.intrinsics,
        "extrinsics": perturb_extrinsics(view.camera.extrinsics, rotvec, translation),
        "ground_truth": label,
    }


def generate_eval_set(scene_seeds: Iterable[int], miscalibration_seed: int, cameras: Iterable[CameraSpec]) -> dict:
    """The evaluation set description: per scene and camera, one calibrated and one miscalibrated sample.

    Args:
        scene_seeds (Iterable[int]): Scene seeds (scenes from ``sample_scene``).
        miscalibration_seed (int): Seed of the :class:`MiscalibrationGenerator`.
        cameras (Iterable[CameraSpec]): The camera rig.

    Returns:
        dict: JSON-serialisable eval set (scene specs, cloud digests, camera rig, samples).
    """
    cameras = list(cameras)
    generator = MiscalibrationGenerator(miscalibration_seed)
    scenes, digests, samples = [], [], []
    for scene_index, seed in enumerate(scene_seeds):
        spec = sample_scene(seed)
        scenes.append(spec.to_json())
        digests.append(points_digest(render_scene(spec).points))
        for camera in cameras:
            for label in LABELS:
                rotvec, translation = generator.perturbation(len(samples), label != LABELS[0])
                samples.append(
                    {
                        "scene": scene_index,
                        "camera": camera.name,
                        "label": label,
                        "rotvec": rotvec.tolist(),
                        "translation": translation.tolist(),
                    }
                )
    rig = [dataclasses.asdict(c) for c in cameras]
    return {"format": EVAL_FORMAT, "cameras": rig, "scenes": scenes, "points_sha256": digests, "samples": samples}


class CalibrationSamples:
    """The evaluation set as a sample source (views rendered on first use and cached).

    Args:
        path (str | pathlib.Path): Eval set JSON written by ``tools/generate_dataset.py``.
        limit (int | None): Use only the first ``limit`` samples. Defaults to all.
    """

    def __init__(self, path: str | pathlib.Path, limit: int | None = None) -> None:
        path = pathlib.Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            fail(f"{path} | cannot read the evaluation set. Note: {type(err).__name__}: {err}", cause=err)
        if not isinstance(data, dict) or data.get("format") != EVAL_FORMAT:
            got = data.get("format") if isinstance(data, dict) else type(data).__name__
            expected(str(path), "not a calibration evaluation set", f"format {EVAL_FORMAT!r}", got)
        self.path = path
        try:
            self.cameras = {c["name"]: CameraSpec(**{**c, "position": tuple(c["position"])}) for c in data["cameras"]}
        except (KeyError, TypeError) as err:
            fields = [f.name for f in dataclasses.fields(CameraSpec)]
            fail(f"{path} | malformed camera entry. Note: expected fields {fields}, got {err}", cause=err)
        for name, camera in self.cameras.items():
            try:
                check_intrinsics(camera.intrinsics, camera.height, camera.width)
            except DeployError as err:
                fail(f"{path} | camera {name}: {err}", cause=err)
        self.scenes = [SceneSpec.from_json(s) for s in data["scenes"]]
        self.digests = list(data["points_sha256"])
        self.entries = data["samples"][: limit if limit is not None else None]
        self._views: dict[tuple[int, str], View] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def view(self, scene: int, camera: str) -> View:
        """The rendered view (scene index, camera name)."""
        if (scene, camera) not in self._views:
            views, digest = render_views(self.scenes[scene], self.cameras.values())
            if digest != self.digests[scene]:
                fail(
                    f"{self.path} | scene {scene} re-rendered differently. Note: expected points sha256 "
                    f"{self.digests[scene][:12]}…, got {digest[:12]}… (synthetic_lidar changed?)"
                )
            self._views.update({(scene, v.camera.name): v for v in views})
        return self._views[(scene, camera)]

    def get_sample(self, index: int) -> dict:
        """Sample ``index`` (see :func:`make_sample`)."""
        entry = self.entries[index]
        view = self.view(entry["scene"], entry["camera"])
        return make_sample(
            view,
            np.asarray(entry["rotvec"]),
            np.asarray(entry["translation"]),
            entry["label"],
            f"s{entry['scene']:03d}_{entry['camera']}_{index:04d}",
            index,
        )


def default_cameras() -> tuple[CameraSpec, ...]:
    """The rig of the embedded default (160×96, 90 degrees horizontal field of view)."""
    return camera_rig()
