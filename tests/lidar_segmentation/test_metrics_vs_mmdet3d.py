"""`awml_deploy.metrics.evaluate_segmentation` agrees with mmdet3d's ``seg_eval`` (the LiDAR segmentation metric).

mmdet3d.evaluation's package import pulls in the Lyft SDK, which is not installed, so ``seg_eval.py`` is loaded by
file path (it needs only NumPy, mmengine and terminaltables).
"""

import importlib.util
import math
import pathlib

import mmdet3d
import numpy as np
import pytest

from awml_deploy import metrics


@pytest.fixture(scope="module")
def seg_eval():
    path = pathlib.Path(mmdet3d.__file__).parent / "evaluation" / "functional" / "seg_eval.py"
    spec = importlib.util.spec_from_file_location("mmdet3d_seg_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.seg_eval


@pytest.mark.parametrize(
    ("num_classes", "ignore_index", "absent"),
    [(4, 4, None), (5, 255, 2), (7, 0, None), (3, 3, 1)],
)
def test_same_numbers_as_seg_eval(seg_eval, num_classes, ignore_index, absent):
    rng = np.random.default_rng(num_classes)
    gts, preds = [], []
    for n in (120, 1, 333):
        gt = rng.integers(0, num_classes, size=n)
        gt[rng.uniform(size=n) < 0.1] = ignore_index
        pred = np.where(rng.uniform(size=n) < 0.6, np.clip(gt, 0, num_classes - 1), rng.integers(0, num_classes, n))
        if absent is not None:  # a class neither in the ground truth nor predicted: IoU NaN, skipped in the mean
            gt[gt == absent] = ignore_index
            pred[pred == absent] = (absent + 1) % num_classes
        gts.append(gt)
        preds.append(pred)
    names = [f"c{i}" for i in range(num_classes)]
    ref = seg_eval([g.copy() for g in gts], [p.copy() for p in preds], dict(enumerate(names)), ignore_index)
    frames = [{"gt_labels": g, "pred_labels": p} for g, p in zip(gts, preds, strict=True)]
    ours = metrics.evaluate_segmentation(frames, {"labels": names, "ignore_index": ignore_index})
    assert ours.miou == pytest.approx(ref["miou"], abs=1e-12)
    assert ours.overall_accuracy == pytest.approx(ref["acc"], abs=1e-12)
    assert ours.mean_accuracy == pytest.approx(ref["acc_cls"], abs=1e-12)
    for name in names:
        if math.isnan(ref[name]):
            assert math.isnan(ours.per_label[name].iou)
        else:
            assert ours.per_label[name].iou == pytest.approx(ref[name], abs=1e-12)
