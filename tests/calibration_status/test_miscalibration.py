"""The miscalibration generator: determinism, magnitudes, rigid perturbations; evaluation-set regeneration."""

import json
import math

import numpy as np
import pytest

from awml_deploy.core.errors import DeployError
from projects.calibration_status.camera import camera_rig
from projects.calibration_status.dataset import CalibrationSamples, generate_eval_set
from projects.calibration_status.miscalibration import (
    MiscalibrationGenerator,
    MiscalibrationRanges,
    perturb_extrinsics,
    rotation_matrix,
)
from projects.calibration_status.projection import check_extrinsics
from projects.calibration_status.runner import DEFAULT_EVAL_SET


def test_same_seed_and_index_give_the_same_perturbation():
    a, b = MiscalibrationGenerator(7), MiscalibrationGenerator(7)
    for index in range(20):
        for miscalibrated in (False, True):
            ra, ta = a.perturbation(index, miscalibrated)
            rb, tb = b.perturbation(index, miscalibrated)
            assert np.array_equal(ra, rb) and np.array_equal(ta, tb)
    assert not np.array_equal(a.perturbation(0, True)[0], a.perturbation(1, True)[0])
    assert not np.array_equal(a.perturbation(0, True)[0], MiscalibrationGenerator(8).perturbation(0, True)[0])


def test_magnitudes_stay_in_their_ranges():
    ranges = MiscalibrationRanges(rotation_deg=(4.0, 10.0), translation_m=(0.1, 0.4))
    generator = MiscalibrationGenerator(3, ranges)
    for index in range(200):
        rotvec, translation = generator.perturbation(index, True)
        assert 4.0 - 1e-6 <= math.degrees(np.linalg.norm(rotvec)) <= 10.0 + 1e-6
        assert 0.1 - 1e-6 <= np.linalg.norm(translation) <= 0.4 + 1e-6
        rotvec, translation = generator.perturbation(index, False)
        assert math.degrees(np.linalg.norm(rotvec)) <= 0.3 + 1e-6 and np.linalg.norm(translation) <= 0.02 + 1e-6


def test_rotation_matrix_and_perturbation_are_rigid():
    np.testing.assert_allclose(rotation_matrix([0.0, 0.0, math.pi / 2]) @ [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(rotation_matrix([0.0, 0.0, 0.0]), np.eye(3))
    base = camera_rig()[0].extrinsics
    moved = perturb_extrinsics(base, np.array([0.0, 0.0, 0.1]), np.array([0.2, 0.0, 0.0]))
    check_extrinsics(moved)
    point = np.array([5.0, 1.0, 1.0, 1.0])
    # In the camera frame the perturbation is rotate-then-shift.
    np.testing.assert_allclose(moved @ point, np.r_[rotation_matrix([0, 0, 0.1]) @ (base @ point)[:3] + [0.2, 0, 0], 1])


def test_bad_ranges_fail():
    with pytest.raises(DeployError, match="miscalibration.rotation_deg | bad range"):
        MiscalibrationRanges(rotation_deg=(5.0, 1.0))
    with pytest.raises(DeployError, match="overlaps the calibrated residual"):
        MiscalibrationRanges(rotation_deg=(0.1, 2.0))


def test_committed_eval_set_is_regenerated_exactly():
    committed = json.loads(DEFAULT_EVAL_SET.read_text())
    scenes = [s["seed"] for s in committed["scenes"][:2]]
    fresh = generate_eval_set(scenes, 100000, camera_rig())
    assert fresh["scenes"] == committed["scenes"][:2] and fresh["points_sha256"] == committed["points_sha256"][:2]
    assert fresh["samples"] == committed["samples"][: len(fresh["samples"])]
    labels = [s["label"] for s in committed["samples"]]
    assert labels.count("calibrated") == labels.count("miscalibrated") == len(labels) // 2


def test_eval_set_samples_carry_the_perturbed_calibration():
    samples = CalibrationSamples(DEFAULT_EVAL_SET, limit=8)
    assert len(samples) == 8
    for index in range(8):
        sample = samples.get_sample(index)
        entry = samples.entries[index]
        camera = samples.cameras[entry["camera"]]
        want = perturb_extrinsics(camera.extrinsics, np.asarray(entry["rotvec"]), np.asarray(entry["translation"]))
        np.testing.assert_array_equal(sample["extrinsics"], want)
        assert sample["ground_truth"] == entry["label"] and sample["image"].shape == (96, 160, 3)
        angle = math.degrees(np.linalg.norm(entry["rotvec"]))
        assert (angle >= 4.0) == (entry["label"] == "miscalibrated")


def test_eval_set_with_bad_intrinsics_fails_naming_the_camera(tmp_path):
    data = json.loads(DEFAULT_EVAL_SET.read_text())
    data["cameras"][1]["fx"] = -80.0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DeployError) as info:
        CalibrationSamples(path)
    message = str(info.value)
    assert (
        message.startswith(f"{path} | camera left: intrinsics | focal lengths must be positive") and "\n" not in message
    )


def test_project_modules_import_without_torch():
    import subprocess
    import sys

    code = (
        "import sys; import projects.calibration_status.runner; "
        "print(sorted(m for m in ('torch', 'mmdet', 'onnxruntime', 'torchvision') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
