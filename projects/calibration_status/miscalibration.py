"""Deterministic miscalibration: rotation/translation perturbations of ``T_cam_lidar``.

A perturbation ``(rotvec, translation)`` acts in the camera frame: ``T' = [R(rotvec) | translation] @ T``. A
"calibrated" sample still gets a tiny perturbation (residual calibration error), a "miscalibrated" one a rotation
of ``rotation_deg`` degrees about a random axis and a shift of ``translation_m`` metres in a random direction.
The same (seed, index) always gives the same perturbation.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from awml_deploy.core.errors import expected

LABELS = ("calibrated", "miscalibrated")


@dataclasses.dataclass(frozen=True)
class MiscalibrationRanges:
    """Magnitude ranges of the perturbations.

    Attributes:
        rotation_deg: (min, max) rotation angle of a miscalibrated sample (degrees).
        translation_m: (min, max) translation of a miscalibrated sample (m).
        calibrated_rotation_deg: Maximum residual rotation of a calibrated sample (degrees).
        calibrated_translation_m: Maximum residual translation of a calibrated sample (m).
    """

    rotation_deg: tuple[float, float] = (4.0, 10.0)
    translation_m: tuple[float, float] = (0.1, 0.4)
    calibrated_rotation_deg: float = 0.3
    calibrated_translation_m: float = 0.02

    def __post_init__(self) -> None:
        for name in ("rotation_deg", "translation_m"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                expected(f"miscalibration.{name}", "bad range", "0 <= min <= max", (low, high))
        if self.rotation_deg[0] <= self.calibrated_rotation_deg:
            expected(
                "miscalibration.rotation_deg",
                "overlaps the calibrated residual",
                f"min > calibrated_rotation_deg ({self.calibrated_rotation_deg})",
                self.rotation_deg,
            )


def rotation_matrix(rotvec: np.ndarray) -> np.ndarray:
    """Rodrigues: (3,) rotation vector (axis * angle in radians) → (3, 3) rotation matrix."""
    rotvec = np.asarray(rotvec, dtype=np.float64)
    angle = float(np.linalg.norm(rotvec))
    if angle < 1e-15:
        return np.eye(3)
    kx, ky, kz = rotvec / angle
    k = np.array([[0.0, -kz, ky], [kz, 0.0, -kx], [-ky, kx, 0.0]])
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * (k @ k)


def perturb_extrinsics(extrinsics: np.ndarray, rotvec: np.ndarray, translation: np.ndarray) -> np.ndarray:
    """Applies a camera-frame perturbation: ``[R(rotvec) | translation] @ T``.

    Args:
        extrinsics (np.ndarray): (4, 4) T_cam_lidar.
        rotvec (np.ndarray): (3,) rotation vector (radians).
        translation (np.ndarray): (3,) translation (m).

    Returns:
        np.ndarray: (4, 4) perturbed T_cam_lidar.
    """
    delta = np.eye(4)
    delta[:3, :3] = rotation_matrix(rotvec)
    delta[:3, 3] = np.asarray(translation, dtype=np.float64)
    return delta @ np.asarray(extrinsics, dtype=np.float64)


def _unit(rng: np.random.Generator) -> np.ndarray:
    vector = rng.standard_normal(3)
    return vector / np.linalg.norm(vector)


class MiscalibrationGenerator:
    """Deterministic perturbations keyed by (seed, index).

    Args:
        seed (int): Generator seed.
        ranges (MiscalibrationRanges | None): Magnitudes. Defaults to ``MiscalibrationRanges()``.
    """

    def __init__(self, seed: int, ranges: MiscalibrationRanges | None = None) -> None:
        self.seed = int(seed)
        self.ranges = MiscalibrationRanges() if ranges is None else ranges

    def perturbation(self, index: int, miscalibrated: bool) -> tuple[np.ndarray, np.ndarray]:
        """The perturbation of sample ``index``.

        Args:
            index (int): Sample index.
            miscalibrated (bool): Draw a miscalibration (else a small residual error).

        Returns:
            tuple: ``rotvec`` (3,) radians and ``translation`` (3,) metres, rounded to 1e-9.
        """
        rng = np.random.default_rng([self.seed, int(index), int(miscalibrated), 0x3C41])
        r = self.ranges
        if miscalibrated:
            angle = rng.uniform(*r.rotation_deg)
            shift = rng.uniform(*r.translation_m)
        else:
            angle = rng.uniform(0.0, r.calibrated_rotation_deg)
            shift = rng.uniform(0.0, r.calibrated_translation_m)
        rotvec = _unit(rng) * np.radians(angle)
        translation = _unit(rng) * shift
        return np.round(rotvec, 9), np.round(translation, 9)

    def apply(self, extrinsics: np.ndarray, index: int, miscalibrated: bool) -> np.ndarray:
        """``extrinsics`` perturbed by :meth:`perturbation` (index, miscalibrated)."""
        return perturb_extrinsics(extrinsics, *self.perturbation(index, miscalibrated))
