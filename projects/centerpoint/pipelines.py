"""CenterPoint inference pipelines: PyTorch (mmdet3d's own path, the reference), ONNX Runtime around the C++
kernels, and the C++ ``CenterPointRuntime`` on TensorRT engines or on the ONNX files (runtime_backend.py).

Every pipeline takes a sample ``{"points": [N, F] float32, ...}`` and returns detections
``{"boxes": [n, 7] (x, y, z_gravity_centre, dx, dy, dz, yaw: the first seven of ``awml_deploy.kernels.BOX_FIELDS``), "scores": [n], "labels": [n]}``; raw outputs are the six
head tensors in mmdet3d's layout (a y-axis head is converted back), so any two backends compare directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from awml_deploy.core.device import DeviceSpec
from awml_deploy.core.errors import fail
from awml_deploy.pipelines.base import BaseInferencePipeline, ModelSpec
from awml_deploy.pipelines.runner import BaseRunner
from projects.centerpoint.contract import CONTRACT, ENCODER, HEAD, HEAD_OUTPUTS, from_y_axis, read_rot_y_flag
from projects.centerpoint.model import CenterPointGeometry
from projects.centerpoint.preprocess import check_points, decorate

PROJECT = "centerpoint"


def decode_detections(heads: Mapping[str, Any], geometry: CenterPointGeometry) -> dict:
    """mmdet3d-equivalent decode (top-k, score threshold, centre range) + circle NMS with the C++ kernels.

    Args:
        heads (Mapping[str, Any]): The six head outputs [1, C, H, W] in mmdet3d's layout.
        geometry (CenterPointGeometry): Model geometry.

    Returns:
        dict: Detections (see the module docstring).
    """
    from awml_deploy import kernels

    g = geometry
    maps = [np.asarray(heads[k], np.float32)[0] for k in HEAD_OUTPUTS]
    boxes, _ = kernels.decode(
        *maps,
        voxel_size=g.voxel_size,
        point_cloud_range=g.point_cloud_range,
        out_size_factor=g.out_size_factor,
        score_threshold=g.score_threshold,
        top_k=g.top_k,
        center_range=g.post_center_range or None,
    )
    radius = float(g.test_cfg.get("min_radius", [1.0])[0])
    kept = kernels.circle_nms(boxes, squared_radius=radius, inclusive=True, max_output=g.test_cfg.get("post_max_size"))
    return {
        "boxes": np.ascontiguousarray(kept[:, :7], np.float32),
        "scores": np.ascontiguousarray(kept[:, 9], np.float32),
        "labels": kept[:, 10].astype(np.int64),
    }


class CenterPointPipeline(BaseInferencePipeline):
    """Shared stages: the sample's points in, detections out; backends differ in their runner and decode."""

    def __init__(self, runner: BaseRunner, spec: ModelSpec, geometry: CenterPointGeometry) -> None:
        super().__init__(runner, spec)
        self.geometry = geometry

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        pillars = decorate(sample["points"], self.geometry)
        return {"input_features": pillars.features, "coords": pillars.coords}, {"counters": pillars.counters}

    def postprocess(self, raw_output: Any, metadata: dict) -> Any:
        return decode_detections(raw_output, self.geometry)


class CenterPointTorchRunner(BaseRunner):
    """mmdet3d's own path: mmcv voxelization, PillarFeatureNet, PointPillarsScatter, SECOND, SECONDFPN, CenterHead.

    Args:
        load_model (Any): ``() -> model`` (cached by the deployment runner).
        device (DeviceSpec): Device.
        cpu_threads (int | None): ``torch.set_num_threads`` on CPU (process-wide). Defaults to torch's choice.
    """

    def __init__(self, load_model: Any, device: DeviceSpec, cpu_threads: int | None = None) -> None:
        super().__init__("pytorch")
        self._load = load_model
        self.device = device
        self.cpu_threads = cpu_threads
        self.model = None

    def activate_impl(self) -> None:
        import torch

        if self.cpu_threads is not None and not self.device.is_cuda:
            torch.set_num_threads(self.cpu_threads)
        self.model = self._load()

    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        import torch

        m = self.model
        with torch.no_grad():
            features = m.pts_voxel_encoder(feed["voxels"], feed["num_points"], feed["coors"])
            canvas = m.pts_middle_encoder(features, feed["coors"], 1)
            out = m.pts_bbox_head(m.pts_neck(m.pts_backbone(canvas)))[0][0]
        return {k: out[k] for k in HEAD_OUTPUTS}

    def synchronize(self) -> None:
        from awml_deploy.pipelines.torch_backend import torch_synchronize

        torch_synchronize(self.device)


class CenterPointTorchPipeline(CenterPointPipeline):
    """The reference: the whole frame through mmdet3d, decode + circle NMS by ``CenterHead.predict_by_feat``."""

    def preprocess(self, sample: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict]:
        """mmcv hard voxelization (``Det3DDataPreprocessor.voxelize``, the model's own settings)."""
        import torch

        points = torch.from_numpy(check_points(sample["points"], self.geometry)).to(str(self.spec.device))
        with torch.no_grad():
            voxels = self.runner.model.data_preprocessor.voxelize([points], None)
        return {k: voxels[k] for k in ("voxels", "num_points", "coors")}, {}

    def postprocess(self, raw_output: Any, metadata: dict) -> Any:
        import torch
        from mmdet3d.structures import LiDARInstance3DBoxes

        head = self.runner.model.pts_bbox_head
        with torch.no_grad():
            result = head.predict_by_feat(([dict(raw_output)],), [{"box_type_3d": LiDARInstance3DBoxes}])[0]
        boxes = result.bboxes_3d
        gravity = torch.cat([boxes.gravity_center, boxes.tensor[:, 3:7]], dim=1)
        return {
            "boxes": gravity.cpu().numpy().astype(np.float32),
            "scores": result.scores_3d.cpu().numpy().astype(np.float32),
            "labels": result.labels_3d.cpu().numpy().astype(np.int64),
        }


class CenterPointOnnxRunner(BaseRunner):
    """The two ONNX Runtime sessions around the C++ scatter kernel.

    Args:
        encoder_path (str): ``pts_voxel_encoder`` ONNX.
        head_path (str): ``pts_backbone_neck_head`` ONNX.
        geometry (CenterPointGeometry): Model geometry.
        device (DeviceSpec): Device of the sessions.
        cpu_threads (int | None): ONNX Runtime intra-op threads. Defaults to ONNX Runtime's choice.
    """

    def __init__(
        self,
        encoder_path: str,
        head_path: str,
        geometry: CenterPointGeometry,
        device: DeviceSpec,
        cpu_threads: int | None = None,
    ) -> None:
        super().__init__("onnx")
        self.cpu_threads = cpu_threads
        self.paths = {ENCODER: encoder_path, HEAD: head_path}
        self.geometry = geometry
        self.device = device
        self.sessions: dict[str, Any] = {}
        self.rot_y = False

    def activate_impl(self) -> None:
        from awml_deploy.pipelines.onnxruntime_backend import OnnxSessionFromPath

        for name, path in self.paths.items():
            session = OnnxSessionFromPath(path, self.device, self.cpu_threads)()
            inputs, outputs = CONTRACT[name]
            got_in = [i.name for i in session.get_inputs()]
            got_out = [o.name for o in session.get_outputs()]
            if sorted(got_in) != sorted(inputs) or sorted(got_out) != sorted(outputs):
                missing = sorted(set(inputs + outputs) - set(got_in + got_out))
                fail(
                    f"onnx {path} | {name} does not have Autoware's tensors (missing {missing}). Note: expected "
                    f"inputs {list(inputs)} and outputs {list(outputs)}, got inputs {got_in} and outputs {got_out}"
                )
            self.sessions[name] = session
        self.rot_y = read_rot_y_flag(self.paths[HEAD])

    def infer_impl(self, feed: Mapping[str, Any]) -> dict[str, Any]:
        from awml_deploy import kernels

        (pillars,) = self.sessions["pts_voxel_encoder"].run(
            ["pillar_features"], {"input_features": feed["input_features"]}
        )
        canvas = kernels.scatter(pillars[:, 0], feed["coords"], grid_shape=self.geometry.grid)
        outputs = self.sessions["pts_backbone_neck_head"].run(list(HEAD_OUTPUTS), {"spatial_features": canvas})
        heads = dict(zip(HEAD_OUTPUTS, outputs, strict=True))
        return from_y_axis(heads) if self.rot_y else heads

    def deactivate_impl(self) -> None:
        self.sessions = {}
