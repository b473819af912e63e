"""A tiny real project for the end-to-end tests: a two-layer CNN classifier on synthetic images."""

from __future__ import annotations

import numpy as np

from awml_deploy.evaluation import BaseEvaluator, ClassificationMetricsInterface
from awml_deploy.runtime import BaseDeploymentRunner, ProjectSpec

LABELS = ("car", "pedestrian", "bicycle")
IMAGE_SHAPE = (3, 16, 16)


def build_model():
    """A two-layer CNN (torch imported lazily)."""
    import torch

    class TinyCNN(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.conv2 = torch.nn.Conv2d(8, 16, 3, padding=1, stride=2)
            self.head = torch.nn.Linear(16, len(LABELS))

        def forward(self, image):
            features = torch.relu(self.conv2(torch.relu(self.conv1(image))))
            return self.head(features.mean(dim=(2, 3))), features

    return TinyCNN()


def save_checkpoint(path: str, seed: int = 0) -> None:
    """Writes a state dict of a seeded TinyCNN."""
    import torch

    torch.manual_seed(seed)
    torch.save(build_model().state_dict(), path)


def load_model(checkpoint_path: str, device: str):
    """Builds TinyCNN from a checkpoint on ``device``."""
    import torch

    model = build_model()
    model.load_state_dict(torch.load(checkpoint_path, map_location=device, weights_only=True))
    return model.to(device).eval()


class SyntheticImages:
    """Deterministic images; the label is a fixed function of the image so accuracy is meaningful."""

    def __init__(self, count: int = 8, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.images = rng.standard_normal((count, 1, *IMAGE_SHAPE)).astype(np.float32)
        self.labels = [LABELS[int(abs(float(img.sum())) * 10) % len(LABELS)] for img in self.images]

    def __len__(self) -> int:
        return len(self.images)

    def get_sample(self, index: int) -> dict:
        return {
            "inputs": {"image": self.images[index]},
            "ground_truth": self.labels[index],
            "uuid": f"img{index}",
            "timestamp_us": 1000 * index,
        }


class TinyEvaluator(BaseEvaluator):
    """Classification of the logits output."""

    def __init__(self) -> None:
        super().__init__(ClassificationMetricsInterface({"labels": list(LABELS)}))

    def parse_predictions(self, output, sample):
        logits = output["logits"]
        logits = np.asarray(logits.detach().cpu() if hasattr(logits, "detach") else logits)
        index = int(logits[0].argmax())
        return [{"uuid": sample["uuid"], "label": LABELS[index], "score": float(logits[0, index])}]

    def parse_ground_truth(self, sample):
        return [{"uuid": sample["uuid"], "label": sample["ground_truth"]}]


class TinyRunner(BaseDeploymentRunner):
    """Thin subclass: everything injected."""

    project_name = "tiny_cnn"

    def __init__(self, config) -> None:
        super().__init__(config, load_model=load_model, samples=SyntheticImages, evaluator=TinyEvaluator())


def config_dict(work_dir: str, checkpoint: str) -> dict:
    """A complete config for the tiny project."""
    return {
        "checkpoint_path": checkpoint,
        "export": {"mode": "onnx", "work_dir": work_dir},
        "components": {
            "model": {
                "onnx_file": "tiny_cnn.onnx",
                "io": {
                    "inputs": [{"name": "image", "dtype": "float32", "shape": [-1, 3, 16, 16]}],
                    "outputs": [{"name": "logits", "dtype": "float32"}, {"name": "features", "dtype": "float32"}],
                    "dynamic_axes": {"image": {0: "batch"}, "logits": {0: "batch"}, "features": {0: "batch"}},
                },
                "tensorrt_profile": {
                    "image": {"min_shape": [1, 3, 16, 16], "opt_shape": [1, 3, 16, 16], "max_shape": [4, 3, 16, 16]}
                },
            }
        },
        "verification": {"num_verify_samples": 3},
        "evaluation": {
            "enabled": True,
            "num_samples": -1,
            "warmup": 1,
            "backends": {"pytorch": {"device": "cpu"}, "onnx": {"device": "cpu"}},
        },
        "logging": {"progress": False},
    }


PROJECT = ProjectSpec("tiny_cnn", TinyRunner, description="two-layer CNN used by the framework tests")
