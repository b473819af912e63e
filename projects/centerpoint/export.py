"""CenterPoint export: Autoware's two graphs, components derived from the model config, ROS parameters and the
single-graph variant with the scatter plugin node. The tensor contract and the y-axis rewrite live in
``contract.py``; the export sample is decorated by ``preprocess.py``, as the pipelines' input is.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

from awml_deploy.config.components import ComponentConfig, parse_component
from awml_deploy.core.errors import expected, fail
from awml_deploy.core.fsio import save_onnx_atomic
from awml_deploy.core.logging import get_logger
from awml_deploy.core.samples import SampleSource
from awml_deploy.exporters.onnx import OnnxExportInfo
from awml_deploy.exporters.pipeline import (
    ExportableComponent,
    ExportPipeline,
    ExportSampleAdapter,
    ModelComponentBuilder,
)
from projects.centerpoint.autoware import write_parameter_files
from projects.centerpoint.contract import CONTRACT, ENCODER, HEAD, HEAD_OUTPUTS, ROT_Y_KEY, to_y_axis
from projects.centerpoint.model import CenterPointGeometry
from projects.centerpoint.preprocess import decorate

_LOG = get_logger("export.centerpoint")
SINGLE_GRAPH_FILE = "centerpoint_single.onnx"
SINGLE_ENGINE_FILE = "centerpoint_single.engine"
SINGLE_COMPONENT = "centerpoint_single"


def head_channels(geometry: CenterPointGeometry) -> dict[str, int]:
    """Channels of each head output."""
    return {"heatmap": len(geometry.class_names), "reg": 2, "height": 1, "dim": 3, "rot": 2, "vel": 2}


def derive_components(geometry: CenterPointGeometry, declared: Mapping[str, ComponentConfig]) -> dict:
    """The two components with shapes and TensorRT profiles derived from the model config.

    The declared components must name Autoware's tensors; their file names are kept, their profiles (when given)
    are checked against the derived shapes, and missing profiles are derived: ``input_features`` min 1, opt half,
    max ``max_voxels`` pillars; ``spatial_features`` fixed to the canvas.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        declared (Mapping[str, ComponentConfig]): ``components`` of the deploy config.

    Returns:
        dict: Component name -> ComponentConfig.
    """
    if sorted(declared) != sorted(CONTRACT):
        expected("components", "CenterPoint exports two graphs", sorted(CONTRACT), sorted(declared))
    for name, (inputs, outputs) in CONTRACT.items():
        io = declared[name].io
        if io.input_names != inputs or io.output_names != outputs:
            expected(
                f"components.{name}.io",
                "tensor names differ from Autoware's contract",
                f"inputs {list(inputs)}, outputs {list(outputs)}",
                f"inputs {list(io.input_names)}, outputs {list(io.output_names)}",
            )
    g = geometry
    m, f, c = g.max_points_per_pillar, g.encoder_features, g.encoder_channels
    h, w = g.grid
    hh, hw = g.head_grid
    raw = {
        ENCODER: {
            "io": {
                "inputs": [{"name": "input_features", "shape": [-1, m, f]}],
                "outputs": [{"name": "pillar_features", "shape": [-1, 1, c]}],
                "dynamic_axes": {"input_features": {0: "num_voxels"}, "pillar_features": {0: "num_voxels"}},
            },
            "tensorrt_profile": {
                "input_features": {
                    "min_shape": [1, m, f],
                    "opt_shape": [max(1, g.max_pillars // 2), m, f],
                    "max_shape": [g.max_pillars, m, f],
                }
            },
        },
        HEAD: {
            "io": {
                "inputs": [{"name": "spatial_features", "shape": [1, c, h, w]}],
                "outputs": [{"name": k, "shape": [1, n, hh, hw]} for k, n in head_channels(g).items()],
            },
            "tensorrt_profile": {
                "spatial_features": {"min_shape": [1, c, h, w], "opt_shape": [1, c, h, w], "max_shape": [1, c, h, w]}
            },
        },
    }
    out = {}
    for name, item in raw.items():
        comp = declared[name]
        item.update(onnx_file=comp.onnx_file, engine_file=comp.engine_file)
        for tensor, profile in comp.tensorrt_profile.items():
            item["tensorrt_profile"][tensor] = {
                "min_shape": list(profile.min_shape),
                "opt_shape": list(profile.opt_shape),
                "max_shape": list(profile.max_shape),
            }
        out[name] = parse_component(name, item)
    profile = out[ENCODER].tensorrt_profile["input_features"]
    if profile.max_shape[0] > g.max_pillars:
        expected(
            f"components.{ENCODER}.tensorrt_profile.input_features.max_shape[0]",
            "more pillars than the model's max_voxels",
            f"<= {g.max_pillars}",
            profile.max_shape[0],
        )
    return out


def single_component(components: Mapping[str, ComponentConfig]) -> ComponentConfig:
    """The single graph (encoder + AwmlPillarScatter + head) as one component, from the derived two.

    Inputs: the encoder's ``input_features``, ``coords`` int32 [-1, 3] and ``num_pillars`` int32 [1]
    (``awml_deploy.trt_plugins.scatter_onnx.join_with_scatter``); outputs: the head's. The pillar axis of
    ``input_features`` and ``coords`` shares the encoder's profile (the runtime's single-engine contract,
    ``PlanCenterPoint`` in cpp/trt_runtime/centerpoint_config.cc).

    Args:
        components (Mapping[str, ComponentConfig]): The components of :func:`derive_components`.

    Returns:
        ComponentConfig: ``centerpoint_single`` on ``centerpoint_single.onnx`` / ``.engine``.
    """
    enc, head = components[ENCODER], components[HEAD]
    features = enc.tensorrt_profile["input_features"]

    def tensor(spec: Any) -> dict:
        return {"name": spec.name, "dtype": spec.dtype, "shape": [-1 if d is None else d for d in spec.shape]}

    def coords(shape: tuple[int, ...]) -> list[int]:
        return [shape[0], 3]

    raw = {
        "onnx_file": SINGLE_GRAPH_FILE,
        "engine_file": SINGLE_ENGINE_FILE,
        "io": {
            "inputs": [
                *(tensor(t) for t in enc.io.inputs),
                {"name": "coords", "dtype": "int32", "shape": [-1, 3]},
                {"name": "num_pillars", "dtype": "int32", "shape": [1]},
            ],
            "outputs": [tensor(t) for t in head.io.outputs],
            "dynamic_axes": {"input_features": {0: "num_voxels"}, "coords": {0: "num_voxels"}},
        },
        "tensorrt_profile": {
            "input_features": {
                "min_shape": list(features.min_shape),
                "opt_shape": list(features.opt_shape),
                "max_shape": list(features.max_shape),
            },
            "coords": {
                "min_shape": coords(features.min_shape),
                "opt_shape": coords(features.opt_shape),
                "max_shape": coords(features.max_shape),
            },
        },
    }
    return parse_component(SINGLE_COMPONENT, raw)


def build_modules(model: Any, rot_y_axis_reference: bool) -> tuple[Any, Any]:
    """The two exportable modules of an mmdet3d CenterPoint.

    Args:
        model (torch.nn.Module): The mmdet3d model.
        rot_y_axis_reference (bool): Rewrite dim/rot to Autoware's y-axis convention.

    Returns:
        tuple[torch.nn.Module, torch.nn.Module]: (encoder, backbone+neck+head).
    """
    import torch

    class PillarEncoder(torch.nn.Module):
        """PFN layers on decorated pillars: [P, M, F] -> [P, 1, C]."""

        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.pfn_layers = encoder.pfn_layers

        def forward(self, input_features):
            x = input_features
            for layer in self.pfn_layers:
                x = layer(x)
            return x

    class BackboneNeckHead(torch.nn.Module):
        """SECOND + SECONDFPN + one-task CenterHead, outputs in Autoware's order."""

        def __init__(self, centerpoint: Any, rot_y: bool) -> None:
            super().__init__()
            self.backbone = centerpoint.pts_backbone
            self.neck = centerpoint.pts_neck
            self.head = centerpoint.pts_bbox_head
            self.rot_y = rot_y

        def forward(self, spatial_features):
            x = self.neck(self.backbone(spatial_features))
            out = self.head(x)[0][0]
            heads = [out[k] for k in HEAD_OUTPUTS]
            return tuple(to_y_axis(heads) if self.rot_y else heads)

    return PillarEncoder(model.pts_voxel_encoder).eval(), BackboneNeckHead(model, rot_y_axis_reference).eval()


class CenterPointSampleAdapter(ExportSampleAdapter):
    """Export sample: one frame's decorated pillars (C++ kernels) and its BEV canvas."""

    def extract_sample(self, model: Any, samples: SampleSource, sample_idx: int) -> Any:
        if not 0 <= sample_idx < len(samples):
            fail(f"runtime_io.sample_idx | out of range. Note: expected 0 <= idx < {len(samples)}, got {sample_idx}")
        return decorate(samples.get_sample(sample_idx)["points"], model.geometry)


class CenterPointComponentBuilder(ModelComponentBuilder):
    """Splits CenterPoint into the encoder and backbone/neck/head graphs.

    Args:
        rot_y_axis_reference (bool | None): Rewrite the head to the y-axis convention. Defaults to False.
    """

    def __init__(self, rot_y_axis_reference: bool | None = None) -> None:
        self.rot_y_axis_reference = False if rot_y_axis_reference is None else rot_y_axis_reference

    def build_components(self, model: Any, sample: Any) -> list[ExportableComponent]:
        import torch

        from awml_deploy import kernels

        encoder, head = build_modules(model, self.rot_y_axis_reference)
        features = torch.from_numpy(sample.features)
        with torch.no_grad():
            pillars = encoder(features)[:, 0].numpy()
        canvas = kernels.scatter(pillars, sample.coords, grid_shape=model.geometry.grid)
        return [
            ExportableComponent(ENCODER, encoder, (features,)),
            ExportableComponent(HEAD, head, (torch.from_numpy(canvas),)),
        ]


class CenterPointExportPipeline(ExportPipeline):
    """Two-graph export plus the ROS parameter file and (optionally) the single graph with the scatter plugin.

    Args:
        geometry (CenterPointGeometry): Model geometry.
        rot_y_axis_reference (bool | None): Head in Autoware's y-axis convention. Defaults to False.
        single_graph (bool | None): Also write the single-graph ONNX. Defaults to True.
        num_past_frames (int | None): Past sweeps the model takes (Autoware's densification). Defaults to 0.
    """

    def __init__(
        self,
        geometry: CenterPointGeometry,
        rot_y_axis_reference: bool | None = None,
        single_graph: bool | None = None,
        num_past_frames: int | None = None,
    ) -> None:
        rot_y = False if rot_y_axis_reference is None else rot_y_axis_reference
        super().__init__(CenterPointComponentBuilder(rot_y), CenterPointSampleAdapter())
        self.geometry = geometry
        self.rot_y_axis_reference = rot_y
        self.single_graph = True if single_graph is None else single_graph
        self.num_past_frames = 0 if num_past_frames is None else num_past_frames

    def export_onnx(
        self, model, samples, sample_idx, components, config, out_dir, metadata=None
    ) -> list[OnnxExportInfo]:
        """Exports both graphs (stamped with the model metadata), then the extras (see the class)."""
        g = self.geometry
        stamped = {
            **(metadata or {}),
            "model": "centerpoint",
            ROT_Y_KEY: str(self.rot_y_axis_reference).lower(),
            "class_names": ",".join(g.class_names),
            "point_cloud_range": ",".join(f"{v:g}" for v in g.point_cloud_range),
            "voxel_size": ",".join(f"{v:g}" for v in g.voxel_size),
        }
        infos = super().export_onnx(model, samples, sample_idx, components, config, out_dir, stamped)
        out_dir = pathlib.Path(out_dir)
        for path in write_parameter_files(g, out_dir, self.rot_y_axis_reference, self.num_past_frames):
            _LOG.info("wrote %s", path)
        if self.single_graph:
            self._write_single_graph(out_dir, components)
        return infos

    def tensorrt_builds(
        self, onnx_dir: str | pathlib.Path, components: Mapping[str, ComponentConfig], out_dir: str | pathlib.Path
    ) -> list[tuple[ComponentConfig, pathlib.Path, pathlib.Path]]:
        """What :meth:`export_tensorrt` builds: with ``single_graph`` ONE engine, ``centerpoint_single.engine``
        from ``centerpoint_single.onnx`` (the runtime's single-engine mode runs it); else one per component.

        Returns:
            list[tuple[ComponentConfig, pathlib.Path, pathlib.Path]]: (component, source ONNX, engine) per engine.
        """
        onnx_dir, out_dir = pathlib.Path(onnx_dir), pathlib.Path(out_dir)
        if not self.single_graph:
            return [(c, onnx_dir / c.onnx_file, out_dir / c.engine_file) for c in components.values()]
        single = single_component(components)
        source = onnx_dir / single.onnx_file
        if not source.is_file():
            fail(
                f"project.single_graph | no {single.onnx_file} to build the single engine from. Note: expected "
                f"{source} (an export with project.single_graph true), got no such file"
            )
        return [(single, source, out_dir / single.engine_file)]

    def export_tensorrt(self, onnx_dir, components, config, device, out_dir) -> list[dict]:
        """The engines of :meth:`tensorrt_builds`; the single one with the AwmlPillarScatter plugin library loaded.

        Returns:
            list[dict]: The native build reports.
        """
        from awml_deploy.core.native import plugin_library
        from awml_deploy.exporters.tensorrt import TensorRTExporter

        # resolved before any build: a missing library is named at once
        plugins = [plugin_library("project.single_graph")] if self.single_graph else None
        exporter = TensorRTExporter(config, device)
        return [exporter.export(*build, plugins) for build in self.tensorrt_builds(onnx_dir, components, out_dir)]

    def _write_single_graph(self, out_dir: pathlib.Path, components: Mapping[str, ComponentConfig]) -> None:
        import onnx

        from awml_deploy.trt_plugins.scatter_onnx import join_with_scatter

        encoder = onnx.load(str(out_dir / components[ENCODER].onnx_file))
        head = onnx.load(str(out_dir / components[HEAD].onnx_file))
        model = join_with_scatter(encoder, head, grid_x=self.geometry.grid[1], grid_y=self.geometry.grid[0])
        for prop in encoder.metadata_props:
            if prop.key != "awml_deploy.component" and prop.key != "awml_deploy.io":
                model.metadata_props.add(key=prop.key, value=prop.value)
        model.metadata_props.add(key="awml_deploy.component", value="centerpoint_single")
        path = out_dir / SINGLE_GRAPH_FILE
        save_onnx_atomic(model, path)
        _LOG.info("wrote %s (AwmlPillarScatter plugin node; TensorRT with libawml_plugins.so)", path)
