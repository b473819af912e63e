"""YOLOX model from an mmdet config: config loading, model building, checkpoint loading."""

from __future__ import annotations

import os
import pathlib

from awml_deploy.core.checkpoint import read_state_dict
from awml_deploy.core.errors import fail

DEFAULT_CONFIG = pathlib.Path(__file__).absolute().parent / "configs" / "yolox_pico_shapes.py"


def load_model_config(path=None):
    """Reads an mmdet YOLOX config (also one inside an AWML checkout, with its custom_imports).

    Args:
        path (str | pathlib.Path | None): Config file. Defaults to the embedded default config.

    Returns:
        mmengine.Config: The config.
    """
    from awml_deploy.awml.custom_imports import import_custom_modules
    from awml_deploy.awml.root import add_awml_root_of

    path = pathlib.Path(path or DEFAULT_CONFIG)
    if not path.is_file():
        fail(f"yolox model config | file not found. Note: expected an mmdet config file, got {path}")
    from mmengine import Config

    add_awml_root_of(path)
    try:
        cfg = Config.fromfile(str(path), import_custom_modules=False)
    except Exception as err:  # noqa: BLE001 - mmengine raises FileNotFoundError, SyntaxError, KeyError...
        missing = getattr(err, "filename", None) if isinstance(err, OSError) else None
        if missing:
            problem = f"names a file that does not exist: {os.path.normpath(missing)}"
        else:
            problem = f"cannot be read ({type(err).__name__}: {' '.join(str(err).split())[:200]})"
        fail(
            f"yolox model config {path} | {problem}. Note: expected an mmengine config whose _base_ files exist",
            cause=err,
        )
    if cfg.get("model", {}).get("type") != "YOLOX":
        fail(
            f"yolox model config | model.type is not YOLOX. Note: expected 'YOLOX', got "
            f"{cfg.get('model', {}).get('type')!r} in {path}"
        )
    import_custom_modules(cfg, f"yolox model config {path}")
    check_model_types(cfg)
    return cfg


def check_model_types(cfg) -> None:
    """Fails when a type of the model (detector, backbone, neck, head) is not registered after the custom imports."""
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet")
    from mmdet.registry import MODELS

    model = cfg.model
    parts = {"model": model, **{f"model.{k}": model.get(k) for k in ("backbone", "neck", "bbox_head")}}
    for key, part in parts.items():
        if part is None or "type" not in part:
            continue
        try:
            found = MODELS.get(part["type"]) is not None
        except Exception:  # noqa: BLE001 - a scope prefix of an uninstalled package
            found = False
        if not found:
            fail(
                f"{key}.type | not a registered model type. Note: expected a type of mmdet or of the config's "
                f"custom_imports (AWML checkout on --awml-root/AWML_ROOT), got {part['type']!r}"
            )


def build_model(cfg):
    """Builds the mmdet YOLOX detector (random weights, train mode)."""
    from mmengine.registry import init_default_scope

    init_default_scope("mmdet")
    from mmdet.registry import MODELS

    return MODELS.build(cfg.model)


def class_names(cfg, override=None) -> tuple[str, ...]:
    """Class names, checked against ``bbox_head.num_classes``.

    Args:
        cfg: mmengine Config.
        override (Sequence[str] | None): Names given by the deploy config (e.g. Autoware's class list). Defaults to
            the config's top-level ``classes`` (AWML), else ``metainfo.classes``, else ``class_names``, else
            ``test_dataloader.dataset.metainfo.classes``.

    Returns:
        tuple[str, ...]: Names in class-index order.
    """
    names = override
    if names is None:
        dataset = ((cfg.get("test_dataloader") or {}).get("dataset") or {}).get("metainfo") or {}
        names = (
            cfg.get("classes")
            or (cfg.get("metainfo") or {}).get("classes")
            or cfg.get("class_names")
            or dataset.get("classes")
        )
    num_classes = cfg.model.bbox_head.num_classes
    if not names or len(names) != num_classes or len(set(names)) != len(names):
        fail(
            f"yolox class names | they do not match bbox_head.num_classes. Note: expected {num_classes} unique names "
            f"(project.class_names, or the model config's classes / metainfo.classes), got {names}"
        )
    return tuple(str(n) for n in names)


def load_state_dict(checkpoint_path, trusted: bool | None = None) -> dict:
    """Loads a checkpoint's weights; accepts a bare state dict or an mmengine checkpoint ``{'state_dict': ...}``.

    Args:
        checkpoint_path (str | pathlib.Path): The file.
        trusted (bool | None): ``project.trust_checkpoint``: a full unpickle is allowed for a file the user trusts.
            Defaults to False.

    Returns:
        dict: Parameter name -> tensor.
    """
    return read_state_dict(checkpoint_path, trusted=False if trusted is None else trusted)


def load_yolox(checkpoint_path, device, model_cfg=None, trusted: bool | None = None):
    """Builds YOLOX from its config and loads the checkpoint strictly (names and shapes).

    Args:
        checkpoint_path (str): State dict file.
        device (str): torch device string.
        model_cfg (mmengine.Config | None): Model config. Defaults to the embedded default config.
        trusted (bool | None): See :func:`load_state_dict`. Defaults to False.

    Returns:
        torch.nn.Module: The detector in eval mode on ``device``.
    """
    cfg = model_cfg if model_cfg is not None else load_model_config()
    model = build_model(cfg)
    state = load_state_dict(checkpoint_path, trusted)
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        fail(
            f"yolox checkpoint | does not match the model config. Note: expected the keys of "
            f"{cfg.model.backbone.type}/{cfg.model.bbox_head.type}, got {len(missing)} missing "
            f"(e.g. {missing[:2]}) and {len(unexpected)} unexpected (e.g. {unexpected[:2]}) in {checkpoint_path}"
        )
    wrong = [
        (k, list(state[k].shape), list(v.shape)) for k, v in own.items() if tuple(state[k].shape) != tuple(v.shape)
    ]
    if wrong:
        name, got, want = wrong[0]
        fail(
            f"yolox checkpoint | {len(wrong)} tensors have the wrong shape for the model config (e.g. {name}). "
            f"Note: expected {want}, got {got} in {checkpoint_path}"
        )
    model.load_state_dict(state, strict=True)
    return model.to(device).eval()
