"""Probes for an NVIDIA GPU on the machine that runs the tests. Never fails.

A GPU is present when /dev/nvidia0 exists or `nvidia-smi -L` lists one. Absent: @local_gpu//:defs.bzl has
GPU_AVAILABLE = False and GPU_COMPAT names a constraint no platform has, so every `<name>_gpu` test variant
(awml_cc_test / awml_py_test with gpu = True) is SKIPPED, not run and reported PASSED.
AWML_DISABLE_GPU=1 forces the GPU-less configuration; after adding or removing a GPU, run
`bazel sync --configure` (or `bazel clean --expunge`) so the probe runs again.
"""

def _has_gpu(rctx):
    if rctx.os.environ.get("AWML_DISABLE_GPU", "0") == "1":
        return False, "disabled by AWML_DISABLE_GPU=1"
    visible = rctx.os.environ.get("CUDA_VISIBLE_DEVICES", None)
    if visible != None and visible.strip() in ["", "-1"]:
        return False, "CUDA_VISIBLE_DEVICES hides every device"
    if rctx.path("/dev/nvidia0").exists:
        return True, "/dev/nvidia0"
    smi = rctx.which("nvidia-smi")
    if smi:
        res = rctx.execute([str(smi), "-L"], timeout = 20)
        if res.return_code == 0 and "GPU " in res.stdout:
            return True, "nvidia-smi -L"
    return False, "no /dev/nvidia0 and no GPU listed by nvidia-smi"

def _gpu_configure_impl(rctx):
    available, reason = _has_gpu(rctx)
    rctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "gpu_setting")

constraint_value(
    name = "gpu_missing",
    constraint_setting = ":gpu_setting",
)
""")
    compat = "[]" if available else '["@local_gpu//:gpu_missing"]'
    rctx.file("defs.bzl", 'GPU_AVAILABLE = %s\nGPU_COMPAT = %s\nGPU_REASON = "%s"\n' % (available, compat, reason))

gpu_configure = repository_rule(
    implementation = _gpu_configure_impl,
    local = True,
    configure = True,
    environ = ["AWML_DISABLE_GPU", "PATH", "CUDA_VISIBLE_DEVICES"],
)
