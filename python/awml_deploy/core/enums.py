"""Enumerations shared by every stage: backends, export modes and TensorRT precision policies."""

from __future__ import annotations

import enum

from awml_deploy.core.errors import expected


class _ParsableEnum(enum.StrEnum):
    """A string enum with a case-insensitive parser that fails with the list of valid values."""

    @classmethod
    def parse(cls, value: object, key: str | None = None):
        """Parses ``value`` (a member or its string value, any case).

        Args:
            value (object): The value to parse.
            key (str | None): Key path used in the error message. Defaults to the enum's name.

        Returns:
            The enum member.
        """
        key = cls.__name__ if key is None else key
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            text = value.strip().lower()
            for member in cls:
                if member.value == text:
                    return member
        expected(key, "unknown value", "one of " + "|".join(m.value for m in cls), value)


class Backend(_ParsableEnum):
    """An inference backend."""

    PYTORCH = "pytorch"
    ONNX = "onnx"
    TENSORRT = "tensorrt"
    #: The project's C++ runtime (e.g. CenterPointRuntime) on its exported ONNX (TensorRT engines where present).
    RUNTIME = "runtime"


class ExportMode(_ParsableEnum):
    """Which artifacts a run exports."""

    ONNX = "onnx"
    TRT = "trt"
    BOTH = "both"
    NONE = "none"

    @property
    def exports_onnx(self) -> bool:
        """bool: Whether ONNX files are exported in this mode."""
        return self in (ExportMode.ONNX, ExportMode.BOTH)

    @property
    def exports_tensorrt(self) -> bool:
        """bool: Whether TensorRT engines are built in this mode."""
        return self in (ExportMode.TRT, ExportMode.BOTH)


class PrecisionPolicy(_ParsableEnum):
    """TensorRT precision policy (see DESIGN.md for the TensorRT 10/11 mapping)."""

    AUTO = "auto"
    FP16 = "fp16"
    FP32_TF32 = "fp32_tf32"
    STRONGLY_TYPED = "strongly_typed"

    @property
    def is_reduced_precision(self) -> bool:
        """bool: Whether results may differ at FP16 level from an FP32 reference."""
        return self in (PrecisionPolicy.FP16, PrecisionPolicy.STRONGLY_TYPED)
