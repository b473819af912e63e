"""Trains the embedded calibration-status classifier on synthetic camera–LiDAR scenes.

Usage (from the repository root)::

    PYTHONPATH=python:. python3 projects/calibration_status/tools/train.py --minutes 15 \
        --out projects/calibration_status/assets/calibration_status_r18w16.pth [--device cuda --workers 12]

Training views come from scene seeds [0, --train-scenes), validation views from seeds 50000+ (the committed
evaluation set uses 100000+). Every epoch draws fresh perturbations (one calibrated and one miscalibrated sample
per view) and flips half of the inputs horizontally. The learning rate follows a cosine over the wall-clock budget;
the checkpoint with the best validation accuracy is kept as a plain state dict.

``--backbone torch`` trains a plain-PyTorch replica of mmdet's ``ResNet`` (same modules, names and forward), for
machines without mmdet (e.g. a GPU box); the saved state dict loads strictly into the mmdet model, and
``tests/calibration_status`` checks that both give the same logits.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

import numpy as np

_ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path[:0] = [str(_ROOT), str(_ROOT / "python")]

from awml_deploy.datasets.synthetic_lidar import sample_scene  # noqa: E402
from projects.calibration_status.dataset import default_cameras, make_sample, render_views  # noqa: E402
from projects.calibration_status.miscalibration import LABELS, MiscalibrationGenerator  # noqa: E402
from projects.calibration_status.model import ModelSettings, build_model  # noqa: E402
from projects.calibration_status.projection import build_input  # noqa: E402


def build_torch_replica(settings: ModelSettings):
    """mmdet ``ResNet(depth=18|34, style="pytorch")`` + GAP + ``head.fc`` in plain PyTorch, with the same state-dict names."""
    from torch import nn

    class BasicBlock(nn.Module):
        def __init__(self, inplanes: int, planes: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(
                    nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
                )

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + identity)

    class Backbone(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            base = settings.base_channels
            self.conv1 = nn.Conv2d(settings.in_channels, base, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(base)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            blocks = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3)}[settings.depth]
            inplanes = base
            for i, num in enumerate(blocks):
                planes = base * 2**i
                layer = [BasicBlock(inplanes, planes, 1 if i == 0 else 2)]
                layer += [BasicBlock(planes, planes, 1) for _ in range(num - 1)]
                setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
                inplanes = planes
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(settings.base_channels * 8, settings.num_classes)

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = Backbone()
            self.head = Head()

        def forward(self, image):
            return self.head.fc(self.backbone(image).mean(dim=(2, 3)))

    return Classifier()


def _render(seed: int):
    return render_views(sample_scene(seed), default_cameras())[0]


def views_for(seeds, workers: int):
    """Renders the views of ``seeds`` (in ``workers`` processes when > 0)."""
    seeds = list(seeds)
    if workers > 0:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [v for views in pool.map(_render, seeds, chunksize=4) for v in views]
    views = []
    for i, seed in enumerate(seeds):
        views.extend(_render(seed))
        if i % 25 == 0:
            print(f"rendered {i + 1}/{len(seeds)} scenes", flush=True)
    return views


class PairDataset:
    """Index ``2 * v + k``: view ``v`` with label ``LABELS[k]``; perturbations and flips keyed by (seed, index)."""

    def __init__(self, views, seed: int, flip: bool) -> None:
        self.views, self.seed, self.flip = views, seed, flip
        self.generator = MiscalibrationGenerator(seed)

    def __len__(self) -> int:
        return 2 * len(self.views)

    def __getitem__(self, index: int):
        view, label_index = self.views[index // 2], index % 2
        rotvec, translation = self.generator.perturbation(index, label_index == 1)
        sample = make_sample(view, rotvec, translation, LABELS[label_index], "", 0)
        x = build_input(sample["image"], sample["points"], sample["intrinsics"], sample["extrinsics"])
        if self.flip and np.random.default_rng([self.seed, index, 0xF11]).uniform() < 0.5:
            x = x[:, :, ::-1]
        return np.ascontiguousarray(x), label_index


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--max-epochs", type=int, default=1000)
    parser.add_argument("--train-scenes", type=int, default=150)
    parser.add_argument("--val-scenes", type=int, default=16)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="data worker processes (0: in the main process)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--backbone", choices=("mmdet", "torch"), default="mmdet")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    start = time.time()
    train_views = views_for(range(args.train_scenes), args.workers)
    val_set = PairDataset(views_for(range(50000, 50000 + args.val_scenes), args.workers), 50000, flip=False)
    loader_args = dict(batch_size=args.batch, num_workers=args.workers, persistent_workers=False)
    val_loader = torch.utils.data.DataLoader(val_set, shuffle=False, **loader_args)
    print(f"data: {len(train_views)} train views, {len(val_set)} val samples, {time.time() - start:.0f} s", flush=True)

    settings = ModelSettings()
    model = build_model(settings) if args.backbone == "mmdet" else build_torch_replica(settings)
    if args.backbone == "mmdet":
        model.init_weights()
    model = model.to(args.device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    budget = args.minutes * 60.0
    train_start = time.time()
    best, step = -1.0, 0
    for epoch in range(args.max_epochs):
        if time.time() - train_start >= budget:
            break
        loader = torch.utils.data.DataLoader(PairDataset(train_views, 1000 + epoch, True), shuffle=True, **loader_args)
        model.train()
        losses = []
        for x, y in loader:
            progress = min((time.time() - train_start) / budget, 1.0)
            if progress >= 1.0:
                break
            for group in optimizer.param_groups:
                group["lr"] = args.lr * 0.5 * (1.0 + np.cos(np.pi * progress))
            loss = torch.nn.functional.cross_entropy(model(x.to(args.device)), y.to(args.device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in val_loader:
                correct += int((model(x.to(args.device)).argmax(1).cpu() == y).sum())
        acc = correct / len(val_set)
        elapsed = time.time() - train_start
        loss_text = f"{np.mean(losses):.4f}" if losses else "nan"
        print(f"epoch {epoch} step {step} loss {loss_text} val_acc {acc:.4f} t {elapsed:.0f} s", flush=True)
        if acc >= best:
            best = acc
            torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, args.out)
            print(f"  saved {args.out} (val_acc {acc:.4f})", flush=True)
    print(f"done: best val_acc {best:.4f}, {time.time() - start:.0f} s total", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
