"""Greedy-by-score, one-to-one, same-label matching, batched over frames, modes and thresholds.

For one label: predictions are visited per frame in descending score (stable); each takes the best
not-yet-used ground truth of its frame (smallest cost, first in input order on ties) and is a TP when that
cost passes the threshold strictly; otherwise it is an FP and there is no retry. IoU modes use cost = -IoU
and threshold -t, so ``cost < threshold`` covers both ``distance < t`` and ``IoU > t``.

Costs of ``+inf`` mark pairs that cannot pass any threshold. A prediction whose pairs are all ``+inf`` is an
FP that uses nothing, and a ground truth whose pairs are all ``+inf`` can only be picked by a prediction that
fails anyway, so both are left out before the padded per-frame tensors are built. The only Python loop is
over the prediction rank within a frame (the sequential part of greedy matching); each step is one NumPy
operation over every frame, mode and threshold at once. When the live pairs are few next to those padded
tensors (objects spread out, a prediction near one or two ground truth), the steps run on the pairs
themselves instead (segment minima per prediction); both give the same result.
"""

from __future__ import annotations

import numpy as np

_UNROLL_GT = 12  # up to this many ground truth per frame, the best-column search is unrolled over columns
_CHUNK_ELEMENTS = 1 << 22  # bound on (predictions x frames x modes x thresholds x ground truth) per chunk
_PAIR_FILL = 0.25  # live pairs below this fraction of the padded (prediction x ground truth x frame) table: pair steps


def matching_order(frame: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Permutation visiting predictions frame by frame, highest score first, ties in input order."""
    order = np.argsort(-score, kind="stable")
    return order[np.argsort(frame[order], kind="stable")]


def frame_pairs(pred_frame: np.ndarray, gt_frame: np.ndarray, num_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Every same-frame (prediction, ground truth) pair, both sides given frame-major.

    Args:
        pred_frame (np.ndarray): (n_pred,) frame of each prediction, non-decreasing.
        gt_frame (np.ndarray): (n_gt,) frame of each ground truth, non-decreasing.
        num_frames (int): Number of frames.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``(pair_pred, pair_gt)`` row indices, prediction-major.
    """
    count_g = np.bincount(gt_frame, minlength=num_frames)
    start_g = np.cumsum(count_g) - count_g
    repeats = count_g[pred_frame]
    pair_pred = np.repeat(np.arange(len(pred_frame)), repeats)
    offsets = np.arange(len(pair_pred)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return pair_pred, start_g[pred_frame[pair_pred]] + offsets


def _present(rows: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of ``rows`` (indices below ``size``), ascending: ``np.unique`` in one linear pass."""
    seen = np.zeros(size, dtype=bool)
    seen[rows] = True
    return np.flatnonzero(seen)


def _rank_in_frame(frame: np.ndarray, num_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Position of each row within its frame (rows frame-major) and the per-frame counts."""
    count = np.bincount(frame, minlength=num_frames)
    return np.arange(len(frame)) - (np.cumsum(count) - count)[frame], count


def greedy_match(
    pred_frame: np.ndarray,
    gt_frame: np.ndarray,
    num_frames: int,
    pair_pred: np.ndarray,
    pair_gt: np.ndarray,
    costs: np.ndarray,
    thresholds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Runs greedy matching of one label for every mode and threshold.

    Args:
        pred_frame (np.ndarray): (n_pred,) frame of each prediction; predictions in matching order
            (:func:`matching_order`).
        gt_frame (np.ndarray): (n_gt,) frame of each ground truth, frame-major, input order within a frame.
        num_frames (int): Number of frames.
        pair_pred (np.ndarray): (K,) prediction row of each candidate pair (same frame as its ground truth).
        pair_gt (np.ndarray): (K,) ground-truth row of each candidate pair. Pairs not listed count as ``+inf``.
        costs (np.ndarray): (M, K) cost of each pair for each of M modes (lower is better, ``+inf`` = never).
        thresholds (np.ndarray): (M, T) pass thresholds on the cost (``cost < threshold``); NaN pads unused
            slots (never passes).

    Returns:
        tuple[np.ndarray, np.ndarray]: ``tp`` (M, T, n_pred) bool and ``gt`` (M, T, n_pred) int64, the
        matched ground-truth row or -1.
    """
    num_modes, num_thr = thresholds.shape
    n_pred = len(pred_frame)
    tp = np.zeros((num_modes, num_thr, n_pred), dtype=bool)
    gt = np.full((num_modes, num_thr, n_pred), -1, dtype=np.int64)
    live = np.isfinite(costs).any(axis=0)
    if not live.any():
        return tp, gt
    pair_pred, pair_gt, costs = pair_pred[live], pair_gt[live], costs[:, live]
    preds, gts = _present(pair_pred, n_pred), _present(pair_gt, len(gt_frame))  # sorted: order kept
    pred_rank, pred_count = _rank_in_frame(pred_frame[preds], num_frames)
    gt_rank, gt_count = _rank_in_frame(gt_frame[gts], num_frames)
    padded = int(pred_count.max()) * int(gt_count.max()) * int(np.count_nonzero(pred_count))
    if len(pair_pred) < _PAIR_FILL * padded:  # sparse candidates (objects spread out): no padded tables
        _greedy_pairs(pred_rank[np.searchsorted(preds, pair_pred)], pair_pred, pair_gt, costs, thresholds, tp, gt)
        return tp, gt
    frames = np.flatnonzero(pred_count > 0)
    frames = frames[np.argsort(-pred_count[frames], kind="stable")]  # most predictions first
    slot_of_frame = np.full(num_frames, -1, dtype=np.int64)
    slot_of_frame[frames] = np.arange(len(frames))
    pred_slot = slot_of_frame[pred_frame[preds]]
    pair_slot = slot_of_frame[pred_frame[pair_pred]]
    pair_rank = pred_rank[np.searchsorted(preds, pair_pred)]
    pair_col = gt_rank[np.searchsorted(gts, pair_gt)]
    gt_start = np.cumsum(gt_count) - gt_count  # first compacted ground truth of each frame
    slot_preds, slot_gts = pred_count[frames], gt_count[frames]
    for lo, hi in _chunks(slot_preds, slot_gts, num_modes * num_thr):
        mask = (pair_slot >= lo) & (pair_slot < hi)
        hit, best = _greedy_chunk(
            slot_preds[lo:hi],
            int(slot_gts[lo:hi].max()),
            pair_rank[mask],
            pair_slot[mask] - lo,
            pair_col[mask],
            costs[:, mask],
            thresholds,
        )
        rows = np.flatnonzero((pred_slot >= lo) & (pred_slot < hi))
        rank, slot = pred_rank[rows], pred_slot[rows]
        ok = hit[rank, slot - lo]  # (n_rows, M, T)
        matched = gts[np.minimum(gt_start[frames[slot]][:, None, None] + best[rank, slot - lo], len(gts) - 1)]
        tp[:, :, preds[rows]] = np.moveaxis(ok, 0, -1)
        gt[:, :, preds[rows]] = np.moveaxis(np.where(ok, matched, -1), 0, -1)
    return tp, gt


def _greedy_pairs(pair_rank, pair_pred, pair_gt, costs, thresholds, tp, gt) -> None:
    """Greedy matching stepping over the rank within the frame, on the candidate pairs themselves.

    Step k takes the k-th live prediction of every frame at once (no two of them share a ground truth); each
    takes the first minimum of its not-yet-used candidates (pairs ordered by ground-truth row: input order).
    Writes ``tp`` and ``gt`` of the predictions that have candidates, in place.
    """
    order = np.lexsort((pair_gt, pair_pred, pair_rank))
    pair_rank, pair_pred, pair_gt, costs = pair_rank[order], pair_pred[order], pair_gt[order], costs[:, order]
    used = np.zeros((*thresholds.shape, int(pair_gt.max()) + 1), dtype=bool)
    limits = thresholds[:, :, None]
    bounds = np.searchsorted(pair_rank, np.arange(int(pair_rank[-1]) + 2))
    for k in range(len(bounds) - 1):
        s, e = bounds[k], bounds[k + 1]
        p, g = pair_pred[s:e], pair_gt[s:e]
        starts = np.flatnonzero(np.concatenate([[True], p[1:] != p[:-1]]))
        segment = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(p))))
        masked = np.where(used[:, :, g], np.inf, costs[:, None, s:e])  # (M, T, pairs of step k)
        value = np.minimum.reduceat(masked, starts, axis=2)
        first = np.minimum.reduceat(np.where(masked == value[:, :, segment], np.arange(len(p)), len(p)), starts, axis=2)
        chosen = g[np.minimum(first, len(p) - 1)]  # every segment holds its minimum: first < len(p)
        ok = value < limits
        m, t, i = np.nonzero(ok)
        used[m, t, chosen[m, t, i]] = True
        tp[:, :, p[starts]] = ok
        gt[:, :, p[starts]] = np.where(ok, chosen, -1)


def _chunks(slot_preds: np.ndarray, slot_gts: np.ndarray, width: int) -> list[tuple[int, int]]:
    """Consecutive slot ranges whose padded tensors stay under :data:`_CHUNK_ELEMENTS`."""
    if not len(slot_preds):
        return []
    if len(slot_preds) * int(slot_preds[0]) * width * int(slot_gts.max()) <= _CHUNK_ELEMENTS:
        return [(0, len(slot_preds))]
    chunks, lo, max_gt = [], 0, 0
    for s in range(len(slot_preds)):
        grown = max(max_gt, int(slot_gts[s]))
        if s > lo and (s + 1 - lo) * int(slot_preds[lo]) * width * grown > _CHUNK_ELEMENTS:
            chunks.append((lo, s))
            lo, grown = s, int(slot_gts[s])
        max_gt = grown
    chunks.append((lo, len(slot_preds)))
    return chunks


def _greedy_chunk(counts, max_gt, rank, slot, col, costs, thresholds) -> tuple[np.ndarray, np.ndarray]:
    """Greedy matching of a run of slots; returns ``hit`` and ``best`` as (max_pred, slots, M, T)."""
    num_modes, num_thr = thresholds.shape
    max_pred, num_slots = int(counts[0]), len(counts)
    # Ground-truth columns lead so that every per-column slice below is contiguous.
    table = np.full((max_pred, max_gt, num_slots, num_modes, 1), np.inf)
    table[rank, col, slot, :, 0] = costs.T
    used = np.zeros((max_gt, num_slots, num_modes, num_thr), dtype=bool)
    hit = np.zeros((max_pred, num_slots, num_modes, num_thr), dtype=bool)
    best = np.zeros((max_pred, num_slots, num_modes, num_thr), dtype=np.int64)
    # Slots are sorted by prediction count, so the slots that still have a k-th prediction are a prefix.
    live = np.searchsorted(-counts, -np.arange(max_pred), side="left")
    for k in range(max_pred):
        n = live[k]
        if max_gt <= _UNROLL_GT:  # few columns: elementwise passes beat a reduction over a short axis
            value = np.full((n, num_modes, num_thr), np.inf)
            choice = np.zeros((n, num_modes, num_thr), dtype=np.int64)
            for g in range(max_gt):  # strict < keeps the first minimum: ties go to the earlier ground truth
                candidate = np.where(used[g, :n], np.inf, table[k, g, :n])
                better = candidate < value
                value = np.where(better, candidate, value)
                choice = np.where(better, g, choice)
            ok = value < thresholds
            for g in range(max_gt):
                used[g, :n] |= ok & (choice == g)
        else:  # dense frames: one argmin over all columns (first minimum on ties as well)
            masked = np.where(used[:, :n], np.inf, table[k, :, :n])  # (G, n, M, T)
            choice = masked.argmin(axis=0)
            value = np.take_along_axis(masked, choice[None], axis=0)[0]
            ok = value < thresholds
            np.put_along_axis(used[:, :n], choice[None], np.take_along_axis(used[:, :n], choice[None], 0) | ok, 0)
        hit[k, :n] = ok
        best[k, :n] = choice
    return hit, best
