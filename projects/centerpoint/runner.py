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
from awml_deploy.core.errors import DeployError, expected, fail
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


def metric_settings(
    overrides: Mapping[str, Any] | None, model_cfg: Mapping[str, Any], class_names: tuple[str, ...], source: str
) -> tuple[dict, str]:
    """Detection3D metric settings: the model config's T4MetricV2 section (else the synthetic demo's defaults),
    with ``project.metrics`` overriding key by key; validated here, before any work.

    Args:
        overrides (Mapping[str, Any] | None): ``project.metrics``.
        model_cfg (Mapping[str, Any]): The model config (dict form).
        class_names (tuple[str, ...]): The model's classes.
        source (str): The model config path, for the report.

    Returns:
        tuple[dict, str]: The settings and a sentence saying where they came from.
    """
    from awml_deploy.awml.t4metric import t4metric_settings
    from awml_deploy.metrics.settings import parse_detection3d_settings

    found = t4metric_settings(model_cfg, class_names)
    if found is None:
        settings, origin = (
            dict(DEFAULT_METRICS),
            "the synthetic demo's defaults (no T4MetricV2 evaluator in the model config)",
        )
    else:
        settings, origin = dict(found[0]), f"{source}: {found[1]}"
    if overrides:
        settings.update(overrides)
        origin += f"; project.metrics overrides {sorted(overrides)}"
    labels = tuple(settings.get("labels", class_names))
    settings["labels"] = list(labels)
    thresholds = settings.get("thresholds", {})
    for mode, values in thresholds.items():
        if not isinstance(values, (list, tuple, Mapping)):
            expected(
                f"project.metrics.thresholds.{mode}",
                f"must be a list or a mapping, not {type(values).__name__}",
                "[t, ...] (every class) or {label: [t, ...]}",
                values,
            )
    settings["thresholds"] = {
        mode: ({n: list(values) for n in labels} if isinstance(values, (list, tuple)) else dict(values))
        for mode, values in thresholds.items()
    }
    try:
        parse_detection3d_settings(settings)
    except DeployError as err:
        fail(f"project.metrics | {err}", cause=err)
    return settings, origin


def resolve_info_file(info_file: str, data_root: str | None) -> tuple[str, str | None]:
    """``runtime_io.info_file`` as AWML reads it: relative to the model config's ``data_root`` (itself relative to
    the current directory), else as a path of its own; point paths inside are relative to ``data_root``.

    Args:
        info_file (str): The configured info file.
        data_root (str | None): ``data_root`` of the model config, or None.

    Returns:
        tuple[str, str | None]: The info file path and the folder its point paths are relative to (None = the
        info file's own folder).
    """
    tried = []
    if data_root is not None and not os.path.isabs(info_file):
        candidate = os.path.join(data_root, info_file)
        if os.path.isfile(candidate):
            return candidate, data_root
        tried.append(os.path.abspath(candidate))
    own = resolve_path(info_file)
    if os.path.isfile(own):
        return own, data_root if data_root is not None and os.path.isdir(data_root) else None
    tried.append(os.path.abspath(own))
    expected("runtime_io.info_file", "info file not found", f"an mmdet3d/AWML info .pkl at one of {tried}", info_file)


class CenterPointRunner(BaseDeploymentRunner):
    """Export (two graphs + extras) → verification (PyTorch vs ONNX) → evaluation (every available backend)."""

    project_name = "centerpoint"

    def __init__(self, config: DeployConfig) -> None:
        from awml_deploy.preprocessing.builder import build_preprocessing_pipeline, pipeline_steps
        from projects.centerpoint.autoware import check_autoware_target
        from projects.centerpoint.backends import make_registry
        from projects.centerpoint.evaluator import CenterPointEvaluator
        from projects.centerpoint.export import CenterPointExportPipeline, derive_components
        from projects.centerpoint.model import geometry_from_config, load_centerpoint, load_model_config

        settings = read_settings(config.project)
        model_config = resolve_path(settings.model_config or DEFAULT_MODEL_CONFIG)
        model_cfg = load_model_config(model_config)
        geometry = geometry_from_config(model_cfg)
        check_autoware_target(geometry, settings.autoware_target)
        self.preprocess = build_preprocessing_pipeline(model_cfg)
        sweeps = [
            s.get("sweeps_num", 10)
            for s in pipeline_steps(model_cfg)[0]
            if s.get("type") == "LoadPointsFromMultiSweeps"
        ]
        info_file = config.runtime_io.info_file  # checked before any work
        self.info = None if info_file is None else resolve_info_file(info_file, model_cfg.get("data_root"))
        checkpoint = None if config.checkpoint_path is None else resolve_path(config.checkpoint_path)
        config = dataclasses.replace(
            config, checkpoint_path=checkpoint, components=derive_components(geometry, config.components)
        )
        self.settings = settings
        self.geometry = geometry
        metrics, self.metric_source = metric_settings(
            settings.metrics, model_cfg.to_dict(), geometry.class_names, model_config
        )
        evaluator = CenterPointEvaluator(geometry, metrics, settings.box_tolerances)
        super().__init__(
            config,
            load_model=lambda path, device: load_centerpoint(path, device, model_config, settings.trust_checkpoint),
            samples=self._build_samples,
            export_pipeline=CenterPointExportPipeline(
                geometry, settings.rot_y_axis_reference, settings.single_graph, sum(sweeps)
            ),
            evaluator=evaluator,
            pipelines=make_registry(
                geometry, settings.cpu_threads, settings.rot_y_axis_reference, settings.single_graph
            ),
        )

    def _build_samples(self) -> Any:
        from awml_deploy.datasets import synthetic_set
        from projects.centerpoint.evaluator import CenterPointSamples

        limit = self.settings.num_frames
        if self.info is None:
            scene_set = resolve_path(self.settings.scene_set or DEFAULT_SCENE_SET)
            data_dir = pathlib.Path(self.config.export.work_dir) / "data" / pathlib.Path(scene_set).stem
            _LOG.info("rendering %s frames of %s into %s", limit or "all", scene_set, data_dir)
            info_file = synthetic_set.materialize_scene_set(scene_set, str(data_dir), limit)
            return CenterPointSamples(info_file, self.geometry.class_names, limit, self.preprocess)
        return CenterPointSamples(self.info[0], self.geometry.class_names, limit, self.preprocess, self.info[1])

    def run(self, context: Any) -> None:
        """The framework stages, then the BEV picture of frame 0 (linked from report.md)."""
        super().run(context)
        context.result.evaluation["metric_settings"] = {"status": "from", "reason": self.metric_source}
        first = getattr(self.evaluator, "first_frame", {})
        if not self.settings.bev_picture or not first:
            return
        from projects.centerpoint.bev import draw_bev
        from projects.centerpoint.plots import draw_evaluation

        sample = next(iter(first.values()))[0]
        detections = {backend: output for backend, (_, output) in first.items()}
        extent = max(abs(v) for v in self.geometry.point_cloud_range[:2] + self.geometry.point_cloud_range[3:5])
        path = draw_bev(sample, detections, self.geometry.class_names, extent, context.run_dir / "bev_frame0.png")
        _LOG.info("BEV picture: %s", path)
        context.result.evaluation["bev_picture"] = {"status": "written", "reason": f"![BEV of frame 0]({path.name})"}
        labels = self.evaluator.metrics.settings.get("labels", self.geometry.class_names)
        paths = draw_evaluation(self.evaluator.frames_by_backend, labels, context.run_dir)
        _LOG.info("evaluation pictures: %s", ", ".join(str(p) for p in paths))
        links = " ".join(f"![{p.stem}]({p.name})" for p in paths)
        context.result.evaluation["pictures"] = {"status": "written", "reason": links}


PROJECT = ProjectSpec(
    "centerpoint",
    CenterPointRunner,
    default_config=str(PROJECT_DIR / "configs" / "deploy_default.py"),
    description="CenterPoint (pillars): Autoware's two ONNX graphs, C++ kernels, TensorRT runtime",
)
