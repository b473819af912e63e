"""Matching of one label in memory linear in the number of objects (candidate pairs only, never all pairs).

:func:`match_label` is the entry point of both detection engines. Frames with few (prediction, ground truth)
pairs go through the batched all-pairs path of :mod:`awml_deploy.metrics.matching` (every frame at once, the
fast path for many small frames). A frame with more than :data:`DENSE_PAIRS` pairs is matched on its own and
streamed: its candidate pairs come from a grid on the BEV centres (rows of height ``cell`` in y, a sorted sweep
in x within the three neighbouring rows), a block of predictions at a time in matching order, and each block's
costs are consumed by the greedy steps before the next block is built. Memory is then bounded by the block
size (:data:`BLOCK_PAIRS`) plus a few arrays per object, whatever the number of objects or their overlap.

The result is identical to the all-pairs path: a pair is left out only when its centres are further apart
than ``fixed + reach_pred + reach_gt`` (the caller's bound, beyond which every cost is ``+inf``), and greedy
matching treats an absent pair exactly as a ``+inf`` one (see :func:`matching.greedy_match`). Ties still go to
the ground truth first in input order (each prediction's candidates are sorted by ground-truth row).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from awml_deploy.metrics.matching import greedy_match

DENSE_PAIRS = 1 << 16  # frames with more pairs than this are streamed
BLOCK_PAIRS = 1 << 18  # candidate pairs built (and costed) at once in a streamed frame
_SLACK = 1e-6  # relative and absolute margin on the candidate bound (the caller's bound is exact)

CostFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _with_slack(bound):
    """A candidate bound (``fixed + reach_pred + reach_gt``, already summed) widened by :data:`_SLACK`."""
    return bound * (1.0 + _SLACK) + _SLACK


def match_label(
    pred_frame: np.ndarray,
    gt_frame: np.ndarray,
    num_frames: int,
    pred_xy: np.ndarray,
    gt_xy: np.ndarray,
    pred_reach: np.ndarray,
    gt_reach: np.ndarray,
    fixed: float,
    cost_fn: CostFn,
    thresholds: np.ndarray,
    gt_key: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy matching of one label for every mode and threshold (same result as all pairs).

    Args:
        pred_frame (np.ndarray): (n_pred,) frame of each prediction, predictions in matching order.
        gt_frame (np.ndarray): (n_gt,) frame of each ground truth, frame-major.
        num_frames (int): Number of frames.
        pred_xy (np.ndarray): (n_pred, 2) BEV centres of the predictions.
        gt_xy (np.ndarray): (n_gt, 2) BEV centres of the ground truth.
        pred_reach (np.ndarray): (n_pred,) per-box reach (e.g. half the footprint diagonal, or 0).
        gt_reach (np.ndarray): (n_gt,) per-box reach.
        fixed (float): Pairs whose BEV centre distance exceeds ``fixed + reach_pred + reach_gt`` must have
            ``+inf`` cost in every mode.
        cost_fn (CostFn): ``cost_fn(pair_pred, pair_gt)`` -> (M, K) costs (``+inf`` = cannot pass).
        thresholds (np.ndarray): (M, T) pass thresholds on the cost, NaN-padded.
        gt_key (np.ndarray | None): (n_gt, k) rows that fully determine a ground truth's costs (its geometry).
            In a streamed frame, ground truth with identical rows are costed once per prediction. Defaults to
            no sharing.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``tp`` (M, T, n_pred) bool and the matched ground-truth row (or -1).
    """
    count_p = np.bincount(pred_frame, minlength=num_frames)
    count_g = np.bincount(gt_frame, minlength=num_frames)
    big = count_p * count_g > DENSE_PAIRS
    small_g = np.where(big, 0, count_g)  # big frames contribute no pairs to the batched path
    start_g = np.cumsum(count_g) - count_g
    repeats = small_g[pred_frame]
    pair_pred = np.repeat(np.arange(len(pred_frame)), repeats)
    offsets = np.arange(len(pair_pred)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    pair_gt = start_g[pred_frame[pair_pred]] + offsets
    # Only pairs within the caller's bound (plus slack) are costed: the others cost +inf in every mode, and
    # greedy matching treats an absent pair as a +inf one. Most same-frame pairs are far apart.
    d = pred_xy[pair_pred] - gt_xy[pair_gt]
    bound = _with_slack(fixed + pred_reach[pair_pred] + gt_reach[pair_gt])
    near = np.flatnonzero(np.hypot(d[:, 0], d[:, 1]) <= bound)
    pair_pred, pair_gt = pair_pred[near], pair_gt[near]
    tp, gt = greedy_match(pred_frame, gt_frame, num_frames, pair_pred, pair_gt, cost_fn(pair_pred, pair_gt), thresholds)
    start_p = np.cumsum(count_p) - count_p
    for f in np.flatnonzero(big):
        preds = np.arange(start_p[f], start_p[f] + count_p[f])
        gts = np.arange(start_g[f], start_g[f] + count_g[f])
        key = None if gt_key is None else gt_key[gts]
        _stream_frame(preds, gts, pred_xy, gt_xy, pred_reach, gt_reach, fixed, cost_fn, thresholds, tp, gt, key)
    return tp, gt


def _segmented_search(g_key, g_val, q_key, q_val, right: bool) -> np.ndarray:
    """Index of the first ``(key, val)`` of the sorted ground truth that is >= (or > when ``right``) each query."""
    n = len(g_key)
    kind = np.concatenate([np.ones(n, dtype=np.int8), np.full(len(q_key), 2 if right else 0, dtype=np.int8)])
    order = np.lexsort((kind, np.concatenate([g_val, q_val]), np.concatenate([g_key, q_key])))
    is_g = order < n
    before = np.cumsum(is_g) - is_g
    out = np.empty(len(q_key), dtype=np.int64)
    out[order[~is_g] - n] = before[~is_g]
    return out


def _stream_frame(preds, gts, pred_xy, gt_xy, pred_reach, gt_reach, fixed, cost_fn, thresholds, tp, gt, key) -> None:
    """Greedy matching of one large frame, writing ``tp``/``gt`` columns of its predictions in place."""
    shared = None  # (representative row, geometry id) when several ground truth share one geometry
    if key is not None:
        _, first, geometry = np.unique(key, axis=0, return_index=True, return_inverse=True)
        if len(first) < len(gts):
            shared = (first, geometry.reshape(-1), len(first))
    pxy, gxy, pr, gr = pred_xy[preds], gt_xy[gts], pred_reach[preds], gt_reach[gts]
    max_gr = float(gr.max())
    cell = _with_slack(fixed + float(pr.max()) + max_gr)  # >= every pair's candidate bound
    y0 = min(float(pxy[:, 1].min()), float(gxy[:, 1].min()))
    span = max(float(pxy[:, 1].max()), float(gxy[:, 1].max())) - y0
    cell = max(cell, span * 1e-12, 1e-300)  # at most ~1e12 rows: row numbers stay exact integers
    g_row = np.floor((gxy[:, 1] - y0) / cell).astype(np.int64)
    p_row = np.floor((pxy[:, 1] - y0) / cell).astype(np.int64)
    g_order = np.lexsort((gxy[:, 0], g_row))
    g_key, g_val = g_row[g_order], gxy[g_order, 0]
    reach_x = _with_slack(fixed + pr + max_gr)
    q_key = (p_row[:, None] + np.arange(-1, 2)[None, :]).ravel()  # the row below, the own row, the row above
    lo = _segmented_search(g_key, g_val, q_key, np.repeat(pxy[:, 0] - reach_x, 3), right=False).reshape(-1, 3)
    hi = _segmented_search(g_key, g_val, q_key, np.repeat(pxy[:, 0] + reach_x, 3), right=True).reshape(-1, 3)
    counts = np.maximum(hi - lo, 0)
    per_pred = counts.sum(axis=1)
    used = np.zeros((*thresholds.shape, len(gts)), dtype=bool)
    done = np.zeros(len(gts), dtype=bool)
    total = np.concatenate([[0], np.cumsum(per_pred)])  # pairs before each prediction
    begin = 0
    while begin < len(preds):
        end = max(begin + 1, int(np.searchsorted(total, total[begin] + BLOCK_PAIRS, side="right")) - 1)
        rep = counts[begin:end].ravel()
        local_p = np.repeat(np.repeat(np.arange(begin, end), 3), rep)
        offsets = np.arange(len(local_p)) - np.repeat(np.cumsum(rep) - rep, rep)
        local_g = g_order[np.repeat(lo[begin:end].ravel(), rep) + offsets]
        d = pxy[local_p] - gxy[local_g]
        bound = _with_slack(fixed + pr[local_p] + gr[local_g])
        keep = (np.abs(d[:, 1]) <= bound) & ~done[local_g]  # a ground truth used at every threshold is gone
        keep[keep] = np.hypot(d[keep, 0], d[keep, 1]) <= bound[keep]
        local_p, local_g = local_p[keep], local_g[keep]
        if shared is None:
            costs = cost_fn(preds[local_p], gts[local_g])
        else:  # cost each (prediction, geometry) once; identical boxes at one spot cost n, not n^2, evaluations
            first, geometry, count = shared
            code, back = np.unique(local_p * count + geometry[local_g], return_inverse=True)
            costs = cost_fn(preds[code // count], gts[first[code % count]])[:, back.reshape(-1)]
        live = np.isfinite(costs).any(axis=0)
        local_p, local_g, costs = local_p[live], local_g[live], costs[:, live]
        order = np.lexsort((local_g, local_p))  # per prediction, ground truth in input order: ties go first
        local_p, local_g, costs = local_p[order], local_g[order], costs[:, order]
        bounds = np.searchsorted(local_p, np.arange(begin, end + 1))
        for i in range(begin, end):
            s, e = bounds[i - begin], bounds[i - begin + 1]
            if s == e:
                continue  # no candidate: an FP that uses nothing (the defaults)
            g = local_g[s:e]
            masked = np.where(used[:, :, g], np.inf, costs[:, None, s:e])  # (M, T, c)
            pick = masked.argmin(axis=-1)
            ok = masked.min(axis=-1) < thresholds
            chosen = g[pick]
            m, t = np.nonzero(ok)
            used[m, t, chosen[m, t]] = True
            tp[:, :, preds[i]] = ok
            gt[:, :, preds[i]] = np.where(ok, gts[chosen], -1)
        done = used.all(axis=(0, 1))
        begin = end
