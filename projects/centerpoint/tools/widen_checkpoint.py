"""Derives the checkpoint of the 5-feature, sweep-using variant (``configs/centerpoint_tiny_t4_sweeps.py``) from the
trained 4-feature one (``assets/centerpoint_tiny_synthetic.pth``).

PillarFeatureNet decorates each point as [x, y, z, intensity, (time lag), 3 cluster-centre offsets, 3 voxel-centre
offsets], so the encoder's first linear layer goes from 10 to 11 input columns: a zero column is inserted at index
4 (the time lag). Every other tensor is copied. The widened model therefore IGNORES the time lag: it is the
4-feature model run on the frame plus its past sweep, which is what the variant exists to exercise (the 5-feature
and sweeps path of export, kernels, runtime and evaluation), not a model trained on time lags.

Checks before writing: the widened state dict loads strictly into the variant model, and on the same voxels the
variant's encoder equals the 4-feature encoder whatever the time lag column holds.

Usage (from the repository root): ``PYTHONPATH=python:. python3 projects/centerpoint/tools/widen_checkpoint.py``.
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.dirname(HERE)
WEIGHT = "pts_voxel_encoder.pfn_layers.0.linear.weight"


def widen(state: dict, point_features: int) -> dict:
    """The state dict with a zero input column for the extra point feature.

    Args:
        state (dict): The 4-feature state dict.
        point_features (int): Point features of the source model (the new column goes right after them).

    Returns:
        dict: The widened state dict (other tensors shared with ``state``).
    """
    import torch

    weight = state[WEIGHT]
    zero = torch.zeros(weight.shape[0], 1, dtype=weight.dtype)
    return {**state, WEIGHT: torch.cat([weight[:, :point_features], zero, weight[:, point_features:]], dim=1)}


def _check_encoder(source, target) -> float:
    """Max difference of the two encoders on random voxels (the target's points carry a random time lag)."""
    import torch

    gen = torch.Generator().manual_seed(0)
    voxels, points = 500, source.geometry.max_points_per_pillar
    feats = torch.rand(voxels, points, 5, generator=gen) * torch.tensor([40.0, 40.0, 3.0, 1.0, 0.1])
    num = torch.randint(1, points + 1, (voxels,), generator=gen)
    coors = torch.zeros(voxels, 4, dtype=torch.int64)
    coors[:, 2:] = torch.randint(0, 224, (voxels, 2), generator=gen)
    with torch.no_grad():
        ref = source.pts_voxel_encoder(feats[..., :4].contiguous(), num, coors)
        out = target.pts_voxel_encoder(feats, num, coors)
    return float((ref - out).abs().max())


def main(argv: list[str] | None = None) -> int:
    """Entry point.

    Args:
        argv (list[str] | None): Arguments. Defaults to ``sys.argv[1:]``.

    Returns:
        int: Exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", default=os.path.join(PROJECT, "assets/centerpoint_tiny_synthetic.pth"))
    parser.add_argument("--source-config", default=os.path.join(PROJECT, "configs/centerpoint_tiny_synthetic.py"))
    parser.add_argument("--config", default=os.path.join(PROJECT, "configs/centerpoint_tiny_t4_sweeps.py"))
    parser.add_argument("--out", default=os.path.join(PROJECT, "assets/centerpoint_tiny_t4_sweeps.pth"))
    args = parser.parse_args(argv)

    import torch

    from projects.centerpoint.model import build_model, load_centerpoint, load_model_config

    source = load_centerpoint(args.source, "cpu", args.source_config)
    state = widen(torch.load(args.source, weights_only=True), source.geometry.point_features)
    target = build_model(load_model_config(args.config)).eval()
    target.load_state_dict(state, strict=True)
    target.geometry = source.geometry
    diff = _check_encoder(source, target)
    if diff > 1e-5:
        raise SystemExit(f"{args.config} | widened encoder differs from the source's by {diff}")
    torch.save({k: v.contiguous() for k, v in state.items()}, args.out)
    print(f"{args.out}: {WEIGHT} {tuple(state[WEIGHT].shape)}, strict load ok, encoder max diff {diff:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
