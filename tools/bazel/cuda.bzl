"""nvcc compilation without rules_cuda: .cu -> position-independent objects for a static cc_library."""

load("@local_cuda//:defs.bzl", "CUDA_COMPAT")

# sm_90 (H100/H200) SASS plus compute_90 PTX for newer GPUs to JIT.
CUDA_ARCH_FLAGS = ["--generate-code=arch=compute_90,code=[sm_90,compute_90]"]

def _cuda_objects_impl(ctx):
    cc_infos = [d[CcInfo] for d in ctx.attr.deps if CcInfo in d]
    includes = []
    defines = []
    headers = []
    for info in cc_infos:
        cc = info.compilation_context
        includes += cc.includes.to_list() + cc.quote_includes.to_list() + cc.system_includes.to_list()
        defines += cc.defines.to_list()
        headers.append(cc.headers)
    inputs = depset(ctx.files.srcs + ctx.files.hdrs, transitive = headers)
    outs = []
    for src in ctx.files.srcs:
        out = ctx.actions.declare_file("_objs/%s/%s.pic.o" % (ctx.label.name, src.basename))
        args = ctx.actions.args()
        args.add_all(["-c", src.path, "-o", out.path, "-Xcompiler", "-fPIC", "-std=c++17", "-O3",
                      "--expt-relaxed-constexpr", "-I.", "-I" + ctx.bin_dir.path])
        args.add_all(CUDA_ARCH_FLAGS + ctx.attr.copts)
        args.add_all(includes, before_each = "-I")
        args.add_all(defines, format_each = "-D%s")
        ctx.actions.run(
            executable = ctx.executable._nvcc,
            arguments = [args],
            inputs = inputs,
            outputs = [out],
            mnemonic = "Nvcc",
            progress_message = "nvcc %s" % src.short_path,
            use_default_shell_env = True,  # nvcc needs the host gcc on PATH
        )
        outs.append(out)
    return [DefaultInfo(files = depset(outs))]

cuda_objects = rule(
    implementation = _cuda_objects_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = [".cu"]),
        "hdrs": attr.label_list(allow_files = True),
        "deps": attr.label_list(providers = [CcInfo]),
        "copts": attr.string_list(),
        "_nvcc": attr.label(default = "@local_cuda//:nvcc", executable = True, cfg = "exec"),
    },
)

def cuda_library(name, srcs, hdrs = [], deps = [], copts = [], visibility = None, **kwargs):
    """A static cc_library of nvcc-compiled .cu files linked with cudart_static; SKIPPED without CUDA."""
    cuda_objects(
        name = name + "_objs",
        srcs = srcs,
        hdrs = hdrs,
        deps = deps + ["@local_cuda//:cuda_headers"],
        copts = copts,
        target_compatible_with = CUDA_COMPAT,
    )
    native.cc_library(
        name = name,
        srcs = [":" + name + "_objs"],
        hdrs = hdrs,
        deps = deps + ["@local_cuda//:cudart_static"],
        linkstatic = True,
        alwayslink = True,
        target_compatible_with = CUDA_COMPAT,
        visibility = visibility,
        **kwargs
    )
