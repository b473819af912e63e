"""Shared by the CenterPoint tests: the embedded checkpoint, the first demo frames and the default deploy config,
exported the way the bundle's export pipeline does it."""

from __future__ import annotations

import dataclasses
import pathlib
from typing import Any

import torch

from awml_deploy.config.loader import load_config
from awml_deploy.datasets import synthetic_set
from projects.centerpoint import export as cp_export
from projects.centerpoint.evaluator import CenterPointSamples
from projects.centerpoint.model import REPO_ROOT, load_centerpoint

CHECKPOINT = str(REPO_ROOT / "projects/centerpoint/assets/centerpoint_tiny_synthetic.pth")
SCENES = str(REPO_ROOT / "projects/centerpoint/assets/eval_scenes.json")
DEPLOY_CONFIG = str(REPO_ROOT / "projects/centerpoint/configs/deploy_default.py")


@dataclasses.dataclass(frozen=True)
class DefaultSetup:
    """The embedded model, ``num_frames`` demo frames, the default config and its derived components."""

    model: Any
    samples: CenterPointSamples
    config: Any
    components: dict

    def export(self, out: pathlib.Path, rot_y: bool, single_graph: bool) -> list:
        """Exports the ONNX graphs into ``out``; returns the export infos."""
        pipeline = cp_export.CenterPointExportPipeline(self.model.geometry, rot_y, single_graph=single_graph)
        return pipeline.export_onnx(
            self.model, self.samples, 0, self.components, self.config.onnx_config, out, {"producer": "test"}
        )


def load_default(root: pathlib.Path, num_frames: int) -> DefaultSetup:
    """Loads the embedded checkpoint (one torch thread), materializes ``num_frames`` frames under ``root``."""
    torch.set_num_threads(1)
    model = load_centerpoint(CHECKPOINT, "cpu")
    samples = CenterPointSamples(
        synthetic_set.materialize_scene_set(SCENES, str(root / "data"), num_frames), model.geometry.class_names
    )
    config = load_config(DEPLOY_CONFIG)
    return DefaultSetup(model, samples, config, cp_export.derive_components(model.geometry, config.components))
