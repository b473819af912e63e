"""The CenterPoint project: ``PROJECT`` for the framework CLI and its thin runner.

Project settings (the ``project`` section of the deploy config; paths are taken from the current directory,
else from the repository root):

* ``model_config``: mmdet3d model config. Defaults to the embedded tiny synthetic model.
* ``trust_checkpoint``: allow a full-pickle checkpoint (see ``model.py``). Defaults to False.
* ``num_frames``: frames of the data used (None = all). Defaults to all.
* ``scene_set``: the synthetic scene-set JSON rendered into ``<work_dir>/data`` when ``runtime_io.info_file`` is
  not given. Defaults to the embedded evaluation scenes.
* ``rot_y_axis_reference``: export the head in Autoware's y-axis convention. Defaults to False.
* ``single_graph``: also write the single-graph ONNX with the scatter plugin node. Defaults to True.
* ``bev_picture``: draw frame 0 with GT and predictions into the run directory. Defaults to True.
* ``metrics``: Detection3DMetricsInterface settings (thresholds, range_filter, distance_buckets).
* ``box_tolerances``: decoded-box verification tolerances (center, size, yaw, score, match_radius).
* ``cpu_threads``: threads of PyTorch (``torch.set_num_threads``, process-wide) and ONNX Runtime on CPU.
  Defaults to each library's choice.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.config.deploy_config import DeployConfig
from awml_deploy.core.errors import expected
from awml_deploy.core.logging import get_logger
from awml_deploy.runtime import BaseDeploymentRunner, ProjectSpec
from projects.centerpoint.model import DEFAULT_MODEL_CONFIG, PROJECT_DIR, resolve_path

_LOG = get_logger("centerpoint")
DEFAULT_SCENE_SET = "projects/centerpoint/assets/eval_scenes.json"
DEFAULT_METRICS = {
    "thresholds": {
        "center_distance_bev": [0.5, 1.0, 2.0, 4.0],
        "plane_distance": [2.0, 4.0],
        "iou_bev": [0.5],
    },
    "range_filter": {"max_abs_x": 44.8, "max_abs_y": 44.8},
    "distance_buckets": [[0.0, 15.0], [15.0, 30.0], [30.0, 64.0]],
}
OPTION_KEYS = (
    "model_config",
    "trust_checkpoint",
    "num_frames",
    "scene_set",
    "rot_y_axis_reference",
    "single_graph",
    "bev_picture",
    "metrics",
    "box_tolerances",
    "cpu_threads",
)


def _metric_settings(value: Any, class_names: tuple[str, ...]) -> dict:
    settings = dict(DEFAULT_METRICS if value is None else value)
    thresholds = settings.get("thresholds", {})
    if not isinstance(thresholds, Mapping) or not thresholds:
        expected("project.metrics.thresholds", "missing", "{mode: [t, ...]} or {mode: {label: [t, ...]}}", thresholds)
    settings["thresholds"] = {
        mode: ({n: list(values) for n in class_names} if isinstance(values, (list, tuple)) else dict(values))
        for mode, values in thresholds.items()
    }
    return settings


def _threads(value: Any) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
        expected("project.cpu_threads", "invalid", "an integer >= 1 or None", value)
    return value


class CenterPointRunner(BaseDeploymentRunner):
    """Export (two graphs + extras) → verification (PyTorch vs ONNX) → evaluation (every available backend)."""

    project_name = "centerpoint"

    def __init__(self, config: DeployConfig) -> None:
        from projects.centerpoint.evaluator import CenterPointEvaluator, check_box_tolerances
        from projects.centerpoint.export import CenterPointExportPipeline, derive_components
        from projects.centerpoint.model import geometry_from_config, load_centerpoint, load_model_config
        from projects.centerpoint.pipelines import make_registry

        options = dict(config.project)
        unknown = sorted(set(options) - set(OPTION_KEYS))
        if unknown:
            expected("project", f"unknown keys {unknown}", "one of " + "|".join(OPTION_KEYS), unknown)
        model_config = resolve_path(options.get("model_config") or DEFAULT_MODEL_CONFIG)
        geometry = geometry_from_config(load_model_config(model_config))
        checkpoint = None if config.checkpoint_path is None else resolve_path(config.checkpoint_path)
        config = dataclasses.replace(
            config, checkpoint_path=checkpoint, components=derive_components(geometry, config.components)
        )
        self.options = options
        self.geometry = geometry
        trusted = bool(options.get("trust_checkpoint", False))
        evaluator = CenterPointEvaluator(
            geometry,
            _metric_settings(options.get("metrics"), geometry.class_names),
            check_box_tolerances(options.get("box_tolerances")),
        )
        super().__init__(
            config,
            load_model=lambda path, device: load_centerpoint(path, device, model_config, trusted),
            samples=self._build_samples,
            export_pipeline=CenterPointExportPipeline(
                geometry, bool(options.get("rot_y_axis_reference", False)), bool(options.get("single_graph", True))
            ),
            evaluator=evaluator,
            pipelines=make_registry(
                geometry, _threads(options.get("cpu_threads")), bool(options.get("rot_y_axis_reference", False))
            ),
        )

    def _build_samples(self) -> Any:
        from awml_deploy.datasets import synthetic_set
        from projects.centerpoint.evaluator import CenterPointSamples

        limit = self.options.get("num_frames")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            expected("project.num_frames", "invalid", "an integer >= 1 or None (all)", limit)
        info_file = self.config.runtime_io.info_file
        if info_file is None:
            scene_set = resolve_path(self.options.get("scene_set") or DEFAULT_SCENE_SET)
            data_dir = pathlib.Path(self.config.export.work_dir) / "data" / pathlib.Path(scene_set).stem
            _LOG.info("rendering %s frames of %s into %s", limit or "all", scene_set, data_dir)
            info_file = synthetic_set.materialize_scene_set(scene_set, str(data_dir), limit)
        elif not os.path.isfile(resolve_path(info_file)):
            expected("runtime_io.info_file", "info file not found", "an mmdet3d/AWML info .pkl", info_file)
        return CenterPointSamples(resolve_path(info_file), self.geometry.class_names, limit)

    def run(self, context: Any) -> None:
        """The framework stages, then the BEV picture of frame 0 (linked from report.md)."""
        super().run(context)
        first = getattr(self.evaluator, "first_frame", {})
        if not self.options.get("bev_picture", True) or not first:
            return
        from projects.centerpoint.bev import draw_bev

        sample = next(iter(first.values()))[0]
        detections = {backend: output for backend, (_, output) in first.items()}
        extent = max(abs(v) for v in self.geometry.point_cloud_range[:2] + self.geometry.point_cloud_range[3:5])
        path = draw_bev(sample, detections, self.geometry.class_names, extent, context.run_dir / "bev_frame0.png")
        _LOG.info("BEV picture: %s", path)
        context.result.evaluation["bev_picture"] = {"status": "written", "reason": f"![BEV of frame 0]({path.name})"}


PROJECT = ProjectSpec(
    "centerpoint",
    CenterPointRunner,
    default_config=str(PROJECT_DIR / "configs" / "deploy_default.py"),
    description="CenterPoint (pillars): Autoware's two ONNX graphs, C++ kernels, TensorRT runtime",
)
