"""Probes TensorRT ($TENSORRT_ROOT or the usual install paths). Never fails.

Absent: @local_tensorrt//:defs.bzl has TENSORRT_AVAILABLE = False and TENSORRT_COMPAT names a constraint
no platform has, so every TensorRT target is SKIPPED. Present: :tensorrt links nvinfer + nvonnxparser.
"""

_CANDIDATES = ["/usr/include/x86_64-linux-gnu", "/usr/include", "/usr/local/TensorRT/include", "/opt/tensorrt/include"]

def _tensorrt_configure_impl(rctx):
    root = rctx.os.environ.get("TENSORRT_ROOT", "")
    candidates = ([root + "/include", root] if root else []) + _CANDIDATES
    inc = ""
    for cand in candidates:
        if rctx.path(cand + "/NvInfer.h").exists:
            inc = cand
            break
    libdirs = []
    if root:
        libdirs = [root + "/lib", root + "/lib64"]
    version = ""
    if inc:
        rctx.symlink(inc, "include")
        content = rctx.read(inc + "/NvInferVersion.h") if rctx.path(inc + "/NvInferVersion.h").exists else ""
        parts = {}
        for line in content.splitlines():
            for key in ["TRT_MAJOR_ENTERPRISE", "TRT_MINOR_ENTERPRISE", "TRT_PATCH_ENTERPRISE", "NV_TENSORRT_MAJOR", "NV_TENSORRT_MINOR", "NV_TENSORRT_PATCH"]:
                tok = "#define " + key + " "
                if line.startswith(tok):
                    parts[key[-5:]] = line[len(tok):].strip().split(" ")[0]
        version = ".".join([parts.get(k, "?") for k in ["MAJOR", "MINOR", "PATCH"]])
        linkopts = ["-L" + d for d in libdirs if rctx.path(d).exists] + ["-lnvinfer", "-lnvonnxparser"]
        rctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "tensorrt_setting")

constraint_value(
    name = "tensorrt_missing",
    constraint_setting = ":tensorrt_setting",
)

cc_library(
    name = "tensorrt_headers",
    hdrs = glob(["include/Nv*.h"]),
    includes = ["include"],
)

cc_library(
    name = "tensorrt",
    linkopts = {linkopts},
    deps = [":tensorrt_headers"],
)
""".format(linkopts = repr(linkopts)))
        rctx.file("defs.bzl", 'TENSORRT_AVAILABLE = True\nTENSORRT_COMPAT = []\nTENSORRT_VERSION = "%s"\n' % version)
    else:
        rctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "tensorrt_setting")

constraint_value(
    name = "tensorrt_missing",
    constraint_setting = ":tensorrt_setting",
)

cc_library(name = "tensorrt_headers")

cc_library(name = "tensorrt")
""")
        rctx.file("defs.bzl", 'TENSORRT_AVAILABLE = False\nTENSORRT_COMPAT = ["@local_tensorrt//:tensorrt_missing"]\n' +
                              'TENSORRT_VERSION = ""\n')

tensorrt_configure = repository_rule(
    implementation = _tensorrt_configure_impl,
    local = True,
    configure = True,
    environ = ["TENSORRT_ROOT", "PATH"],
)
