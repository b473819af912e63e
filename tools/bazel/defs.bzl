"""The one macro file every BUILD file loads from.

Optional SDKs map to SKIPPED targets (target_compatible_with), never to a red build:
  CUDA (nvcc + cudart_static), TensorRT, GoogleTest, pybind11.
"""

load("@local_cuda//:defs.bzl", _CUDA_AVAILABLE = "CUDA_AVAILABLE", _CUDA_COMPAT = "CUDA_COMPAT")
load("@local_gtest//:defs.bzl", "GTEST_COMPAT")
load("@local_python//:defs.bzl", _PYBIND11_AVAILABLE = "PYBIND11_AVAILABLE")
load("@local_tensorrt//:defs.bzl", _TENSORRT_AVAILABLE = "TENSORRT_AVAILABLE", _TENSORRT_COMPAT = "TENSORRT_COMPAT")
load("//tools/bazel:cuda.bzl", _cuda_library = "cuda_library")

CUDA_AVAILABLE = _CUDA_AVAILABLE
CUDA_COMPAT = _CUDA_COMPAT
TENSORRT_AVAILABLE = _TENSORRT_AVAILABLE
TENSORRT_COMPAT = _TENSORRT_COMPAT
PYBIND11_AVAILABLE = _PYBIND11_AVAILABLE

cuda_library = _cuda_library

AWML_COPTS = ["-Wall", "-Wextra"]

def awml_cc_library(name, copts = [], **kwargs):
    """cc_library with the project's warnings."""
    native.cc_library(name = name, copts = AWML_COPTS + copts, **kwargs)

def awml_cc_binary(name, copts = [], **kwargs):
    native.cc_binary(name = name, copts = AWML_COPTS + copts, **kwargs)

def awml_cc_test(name, deps = [], copts = [], target_compatible_with = [], **kwargs):
    """A GoogleTest cc_test (gtest_main linked in); SKIPPED where GoogleTest is missing."""
    native.cc_test(
        name = name,
        deps = deps + ["@local_gtest//:gtest_main"],
        copts = AWML_COPTS + copts,
        target_compatible_with = target_compatible_with + GTEST_COMPAT,
        **kwargs
    )

def trt_cc_library(name, deps = [], target_compatible_with = [], **kwargs):
    """A cc_library that needs TensorRT: SKIPPED when TensorRT is absent, links nvinfer when present."""
    native.cc_library(
        name = name,
        deps = deps + ["@local_cuda//:cuda_headers", "@local_tensorrt//:tensorrt"],
        copts = AWML_COPTS + kwargs.pop("copts", []),
        target_compatible_with = target_compatible_with + TENSORRT_COMPAT,
        **kwargs
    )

def pybind_library(name, srcs, deps = [], copts = [], **kwargs):
    """The cc_library holding a PYBIND11_MODULE (alwayslink: nothing references PyInit_*)."""
    native.cc_library(
        name = name,
        srcs = srcs,
        copts = ["-fvisibility=hidden"] + AWML_COPTS + copts,
        deps = deps + ["@local_python//:pybind11"],
        alwayslink = True,
        **kwargs
    )

def pybind_extension(name, deps, **kwargs):
    """The Python extension module `<name>.so` (cc_binary linkshared) from pybind_library deps.

    Put it in the Python package's folder and list it as py_library data, so that
    `from <package> import <name>` finds it.
    """
    native.cc_binary(
        name = name + ".so",
        linkshared = True,
        deps = deps,
        **kwargs
    )

def awml_py_library(name, **kwargs):
    native.py_library(name = name, srcs_version = "PY3", **kwargs)

def awml_py_binary(name, **kwargs):
    native.py_binary(name = name, python_version = "PY3", srcs_version = "PY3", **kwargs)

def awml_py_test(name, srcs, deps = [], data = [], args = [], size = "medium", **kwargs):
    """A pytest-run py_test: every file in srcs is a pytest module."""
    native.py_test(
        name = name,
        srcs = srcs + ["//tools/bazel:pytest_main.py"],
        main = "//tools/bazel:pytest_main.py",
        args = args + ["$(rootpath %s)" % s for s in srcs],
        deps = deps,
        data = data,
        size = size,
        python_version = "PY3",
        srcs_version = "PY3",
        **kwargs
    )
