"""Probes the CUDA toolkit ($CUDA_HOME, $CUDA_PATH, nvcc on PATH, /usr/local/cuda). Never fails.

Exposes @local_cuda//:defs.bzl with CUDA_AVAILABLE, CUDA_COMPAT (for target_compatible_with) and
CUDA_VERSION. AWML_DISABLE_CUDA=1 forces the CUDA-less configuration.
"""

def _valid_root(rctx, root):
    return root and rctx.path(root + "/include/cuda_runtime.h").exists and rctx.path(root + "/bin/nvcc").exists

def _root_from_nvcc(rctx):
    nvcc = rctx.which("nvcc")
    if not nvcc:
        return ""

    # nvcc on PATH may be a wrapper script: ask nvcc itself where its toolkit is.
    res = rctx.execute([str(nvcc), "--dryrun", "-E", "-x", "cu", "/dev/null"])
    for line in (res.stdout + "\n" + res.stderr).splitlines():
        if line.startswith("#$ TOP="):
            top = line[len("#$ TOP="):].strip()
            real = rctx.execute(["realpath", top + "/.."])
            if real.return_code == 0:
                return real.stdout.strip()
    return ""

def _write_missing(rctx, reason):
    rctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "cuda_setting")

constraint_value(
    name = "cuda_missing",
    constraint_setting = ":cuda_setting",
)

cc_library(name = "cuda_headers")

cc_library(name = "cudart_static")

sh_binary(
    name = "nvcc",
    srcs = ["nvcc.sh"],
)
""")
    rctx.file("nvcc.sh", "#!/bin/sh\necho 'awml: CUDA is not available: %s' >&2\nexit 1\n" % reason, executable = True)
    rctx.file("defs.bzl", 'CUDA_AVAILABLE = False\nCUDA_COMPAT = ["@local_cuda//:cuda_missing"]\n' +
                          'CUDA_VERSION = ""\nCUDA_REASON = "%s"\n' % reason)

def _cuda_configure_impl(rctx):
    env = rctx.os.environ
    if env.get("AWML_DISABLE_CUDA", "0") == "1":
        _write_missing(rctx, "disabled by AWML_DISABLE_CUDA=1")
        return
    root = ""
    for cand in [env.get("CUDA_HOME", ""), env.get("CUDA_PATH", ""), _root_from_nvcc(rctx), "/usr/local/cuda"]:
        if _valid_root(rctx, cand):
            root = cand
            break
    if not root:
        _write_missing(rctx, "no CUDA toolkit found (set CUDA_HOME)")
        return
    cudart = ""
    for sub in ["lib64", "lib", "targets/x86_64-linux/lib"]:
        if rctx.path(root + "/" + sub + "/libcudart_static.a").exists:
            cudart = root + "/" + sub + "/libcudart_static.a"
            break
    if not cudart:
        _write_missing(rctx, "libcudart_static.a not found under " + root)
        return
    version = ""
    res = rctx.execute([root + "/bin/nvcc", "--version"])
    for line in res.stdout.splitlines():
        if "release" in line:
            version = line.split("release")[1].split(",")[0].strip()
    rctx.symlink(root + "/include", "include")
    rctx.symlink(cudart, "lib/libcudart_static.a")
    rctx.file("nvcc.sh", "#!/bin/sh\nexec '%s/bin/nvcc' \"$@\"\n" % root, executable = True)
    rctx.file("BUILD.bazel", """package(default_visibility = ["//visibility:public"])

constraint_setting(name = "cuda_setting")

constraint_value(
    name = "cuda_missing",
    constraint_setting = ":cuda_setting",
)

cc_library(
    name = "cuda_headers",
    hdrs = glob(["include/**/*.h", "include/**/*.hpp", "include/**/*.cuh", "include/**/*.inl"]),
    includes = ["include"],
)

cc_library(
    name = "cudart_static",
    srcs = ["lib/libcudart_static.a"],
    linkopts = ["-ldl", "-lpthread", "-lrt"],
    deps = [":cuda_headers"],
)

sh_binary(
    name = "nvcc",
    srcs = ["nvcc.sh"],
)
""")
    rctx.file("defs.bzl", 'CUDA_AVAILABLE = True\nCUDA_COMPAT = []\nCUDA_VERSION = "%s"\nCUDA_REASON = ""\n' % version)

cuda_configure = repository_rule(
    implementation = _cuda_configure_impl,
    local = True,
    configure = True,
    environ = ["CUDA_HOME", "CUDA_PATH", "PATH", "AWML_DISABLE_CUDA"],
)
