"""The CenterPoint project: ``PROJECT`` for the framework CLI and its thin runner.

Project settings: the ``project`` section of the deploy config, read by ``settings.read_settings`` in the
runner's constructor (see ``CenterPointSettings``). Paths are taken from the current directory, else from the
repository root.
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
from projects.centerpoint.settings import read_settings

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


class CenterPointRunner(BaseDeploymentRunner):
    """Export (two graphs + extras) → verification (PyTorch vs ONNX) → evaluation (every available backend)."""

    project_name = "centerpoint"

    def __init__(self, config: DeployConfig) -> None:
        from projects.centerpoint.evaluator import CenterPointEvaluator
        from projects.centerpoint.export import CenterPointExportPipeline, derive_components
        from projects.centerpoint.model import geometry_from_config, load_centerpoint, load_model_config
        from projects.centerpoint.pipelines import make_registry

        settings = read_settings(config.project)
        model_config = resolve_path(settings.model_config or DEFAULT_MODEL_CONFIG)
        geometry = geometry_from_config(load_model_config(model_config))
        checkpoint = None if config.checkpoint_path is None else resolve_path(config.checkpoint_path)
        config = dataclasses.replace(
            config, checkpoint_path=checkpoint, components=derive_components(geometry, config.components)
        )
        self.settings = settings
        self.geometry = geometry
        evaluator = CenterPointEvaluator(
            geometry, _metric_settings(settings.metrics, geometry.class_names), settings.box_tolerances
        )
        super().__init__(
            config,
            load_model=lambda path, device: load_centerpoint(path, device, model_config, settings.trust_checkpoint),
            samples=self._build_samples,
            export_pipeline=CenterPointExportPipeline(geometry, settings.rot_y_axis_reference, settings.single_graph),
            evaluator=evaluator,
            pipelines=make_registry(geometry, settings.cpu_threads),
        )

    def _build_samples(self) -> Any:
        from awml_deploy.datasets import synthetic_set
        from projects.centerpoint.evaluator import CenterPointSamples

        limit = self.settings.num_frames
        info_file = self.config.runtime_io.info_file
        if info_file is None:
            scene_set = resolve_path(self.settings.scene_set or DEFAULT_SCENE_SET)
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
        if not self.settings.bev_picture or not first:
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
