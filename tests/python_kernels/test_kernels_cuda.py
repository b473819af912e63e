"""The Python door on torch CUDA tensors equals the CPU kernels on numpy arrays (GPU machine only).

Skips cleanly where torch has no CUDA device or the extension was built without CUDA. On the GPU machine:
`python3 -m pytest tests/python_kernels/test_kernels_cuda.py` with an extension built for its Python.
"""

from __future__ import annotations

import numpy as np
import pytest

from awml_deploy import kernels

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("needs a CUDA device (torch.cuda.is_available() is False)", allow_module_level=True)
if kernels.cuda_device_count() == 0:
    pytest.skip("the extension was built without CUDA or sees no device", allow_module_level=True)

RANGE = [-76.8, -76.8, -4.0, 76.8, 76.8, 6.0]
VOXEL = [0.32, 0.32, 10.0]
GRID = (480, 480)


def _cloud(rng: np.random.Generator, n: int) -> np.ndarray:
    xyz = rng.uniform([-80, -80, -5], [80, 80, 7], size=(n, 3))
    return np.concatenate([xyz, rng.uniform(0, 1, size=(n, 1))], axis=1).astype(np.float32)


@pytest.mark.parametrize("n", [0, 1, 5000, 120000])
def test_preprocessing_on_cuda_equals_cpu(n: int) -> None:
    pts = _cloud(np.random.default_rng(n), n)
    cpu = kernels.voxelize(pts, point_cloud_range=RANGE, voxel_size=VOXEL)
    gpu = kernels.voxelize(torch.from_numpy(pts).cuda(), point_cloud_range=RANGE, voxel_size=VOXEL)
    assert gpu.counters == cpu.counters
    np.testing.assert_array_equal(gpu.pillar_points.cpu().numpy(), cpu.pillar_points)
    np.testing.assert_array_equal(gpu.points_per_pillar.cpu().numpy(), cpu.points_per_pillar)
    np.testing.assert_array_equal(gpu.coords.cpu().numpy(), cpu.coords)
    f_cpu = kernels.pillar_features(
        cpu.pillar_points, cpu.points_per_pillar, cpu.coords, point_cloud_range=RANGE, voxel_size=VOXEL
    )
    f_gpu = kernels.pillar_features(
        gpu.pillar_points, gpu.points_per_pillar, gpu.coords, point_cloud_range=RANGE, voxel_size=VOXEL
    )
    np.testing.assert_array_equal(f_gpu.cpu().numpy(), f_cpu)
    pf = np.random.default_rng(1).standard_normal((cpu.coords.shape[0], 32)).astype(np.float32)
    c_cpu = kernels.scatter(pf, cpu.coords, grid_shape=GRID)
    c_gpu = kernels.scatter(torch.from_numpy(pf).cuda(), gpu.coords, grid_shape=GRID)
    np.testing.assert_array_equal(c_gpu.cpu().numpy(), c_cpu)


def test_decode_and_nms_on_cuda_equal_cpu() -> None:
    rng = np.random.default_rng(7)
    h = w = 120
    heads = {
        "heatmap": rng.normal(-6, 1.5, size=(5, h, w)),  # a few hundred candidates: under the capacity
        "reg": rng.uniform(0, 1, size=(2, h, w)),
        "height": rng.normal(1, 0.3, size=(1, h, w)),
        "dim": rng.normal(0.5, 0.3, size=(3, h, w)),
        "rot": rng.normal(0, 1, size=(2, h, w)),
        "vel": rng.normal(0, 1, size=(2, h, w)),
    }
    heads = {k: v.astype(np.float32) for k, v in heads.items()}
    kw = dict(voxel_size=[0.32, 0.32], point_cloud_range=RANGE, out_size_factor=4, score_threshold=0.1)
    b_cpu, d_cpu = kernels.decode(**heads, **kw)
    b_gpu, d_gpu = kernels.decode(**{k: torch.from_numpy(v).cuda() for k, v in heads.items()}, **kw)
    assert d_cpu == 0 and d_gpu == 0 and 10 < b_cpu.shape[0] < 4096
    np.testing.assert_array_equal(b_gpu.cpu().numpy(), b_cpu)
    k_cpu = kernels.circle_nms(b_cpu, squared_radius=0.25)
    k_gpu = kernels.circle_nms(b_gpu, squared_radius=0.25)
    np.testing.assert_array_equal(k_gpu.cpu().numpy(), k_cpu)
