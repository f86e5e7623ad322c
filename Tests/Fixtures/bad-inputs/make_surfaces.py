#!/usr/bin/env python3
"""Writes the second bad-input corpus (issue 25: ONNX graphs, functional paths, compare, sweeps and
merges, output files) and surfaces.jsonl: one case per line, {"expect": E, "args": [...]}, where
$D is this folder. E is a text the clean error must contain, or "ok": the command must succeed and
every file it writes must be valid (strict JSON, RFC 4180 CSV, well-formed SVG).

Needs numpy and onnx (python3 -m pip install numpy onnx); the files it writes are committed, so the
tests need neither."""
import io, json, os, zipfile
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

D = os.path.dirname(os.path.abspath(__file__))
DIGITS = "$D/../digits"
cases = []
def case(expect, *args): cases.append({"expect": expect, "args": list(args)})
def path(name): return os.path.join(D, name)

# ---------------------------------------------------------------------------------------------
# ONNX graphs: a small CNN (1x8x8 -> conv 4 -> relu -> maxpool -> flatten -> gemm 10), mutated.
rng = np.random.default_rng(25)
def init(name, shape): return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.3, name)

def base(conv_name="conv", fc_name="fc", relu_name="relu", pool_name="pool", flat_name="flat"):
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name=conv_name, kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name=relu_name),
        helper.make_node("MaxPool", ["r"], ["p"], name=pool_name, kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name=flat_name, axis=1),
        helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], name=fc_name, transB=1),
    ]
    inits = [init("w", [4, 1, 3, 3]), init("b", [4]), init("fw", [10, 64]), init("fb", [10])]
    return nodes, inits

def model(nodes, inits, inputs=None, opset=13, domain=""):
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 8, 8])]
    g = helper.make_graph(nodes, "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid(domain, opset)], producer_name="make_surfaces")
    m.ir_version = 8
    return m

def onnx_file(name, m):
    with open(path(name), "wb") as h: h.write(m.SerializeToString() if not isinstance(m, bytes) else m)
    return "$D/" + name

def mutate(name, fn):
    nodes, inits = base()
    m = fn(nodes, inits)
    return onnx_file(name, m if isinstance(m, onnx.ModelProto) else model(nodes, inits))

def attr(node, key, value):
    for a in list(node.attribute):
        if a.name == key: node.attribute.remove(a)
    node.attribute.append(helper.make_attribute(key, value))

good = onnx_file("o-good.onnx", model(*base()))
case("ok", "run", "--workload", good)
case("ok", "run", "--workload", good, "--trace")
case("ok", "map", "--workload", good)

def reshape_graph(shape_values, dtype=np.int64):
    nodes, inits = base()
    nodes[3] = helper.make_node("Reshape", ["p", "shape"], ["f"], name="flat")
    inits.append(numpy_helper.from_array(np.array(shape_values, dtype=dtype), "shape"))
    return model(nodes, inits)

onnx_cases = [
  ("o-stride-zero.onnx", lambda n, i: attr(n[0], "strides", [0, 0]), "strides"),
  ("o-stride-negative.onnx", lambda n, i: attr(n[0], "strides", [-1, 1]), "strides"),
  ("o-pads-negative.onnx", lambda n, i: attr(n[0], "pads", [-1, -1, 1, 1]), "pads"),
  ("o-kernel-zero.onnx", lambda n, i: attr(n[2], "kernel_shape", [0, 0]), "pool"),
  ("o-group-mismatch.onnx", lambda n, i: attr(n[0], "group", 3), "conv"),
  ("o-flatten-no-input.onnx", lambda n, i: n[3].input.__delitem__(0), "Flatten"),
  ("o-conv-one-input.onnx", lambda n, i: n[0].input.__delitem__(slice(1, 3)), "Conv"),
  ("o-gemm-five-inputs.onnx", lambda n, i: n[4].input.extend(["fb", "fb"]), "Gemm"),
  ("o-relu-two-outputs.onnx", lambda n, i: n[1].output.append("r2"), "2 outputs; Relu gives 1"),
  ("o-dup-initializer.onnx", lambda n, i: i.append(init("w", [4, 1, 3, 3])), "'w'"),
  ("o-dup-node-name.onnx", lambda n, i: setattr(n[1], "name", "conv"), "'conv'"),
  ("o-two-producers.onnx", lambda n, i: n.insert(2, helper.make_node("Relu", ["c"], ["r"], name="relu_b")), "'r'"),
  ("o-repeated-attribute.onnx", lambda n, i: n[0].attribute.append(helper.make_attribute("pads", [0, 0, 0, 0])), "pads"),
  ("o-foreign-domain.onnx", lambda n, i: setattr(n[1], "domain", "com.example"), "com.example"),
  ("o-unknown-op.onnx", lambda n, i: setattr(n[1], "op_type", "LSTM"), "LSTM"),
  ("o-undefined-input.onnx", lambda n, i: n[1].input.__setitem__(0, "nowhere"), "nowhere"),
  ("o-cycle.onnx", lambda n, i: n[1].input.__setitem__(0, "r"), "relu"),
  ("o-missing-weight.onnx", lambda n, i: i.__delitem__(0), "'w'"),
  ("o-weight-nan.onnx", lambda n, i: i.__setitem__(0, numpy_helper.from_array(np.full([4, 1, 3, 3], np.nan, np.float32), "w")), "nan"),
  ("o-weight-inf.onnx", lambda n, i: i.__setitem__(0, numpy_helper.from_array(np.full([4, 1, 3, 3], np.inf, np.float32), "w")), "inf"),
  ("o-weight-shape.onnx", lambda n, i: i.__setitem__(0, init("w", [4, 1, 5, 5])), "conv"),
  ("o-bias-shape.onnx", lambda n, i: i.__setitem__(1, init("b", [5])), "conv"),
  ("o-fc-shape.onnx", lambda n, i: i.__setitem__(2, init("fw", [10, 63])), "fc"),
  ("o-kernel-huge.onnx", lambda n, i: attr(n[2], "kernel_shape", [100, 100]), "pool"),
  ("o-dilation.onnx", lambda n, i: attr(n[0], "dilations", [2, 2]), "dilations"),
  ("o-same-uneven.onnx", lambda n, i: (attr(n[0], "auto_pad", "SAME_UPPER"), attr(n[0], "kernel_shape", [2, 2]),
                                       n[0].attribute.remove(next(a for a in n[0].attribute if a.name == "pads")),
                                       i.__setitem__(0, init("w", [4, 1, 2, 2]))), "SAME"),
  ("o-no-nodes.onnx", lambda n, i: (n.clear(), i.clear()), "o-no-nodes.onnx"),
]
for name, fn, exp in onnx_cases:
    case(exp, "run", "--workload", mutate(name, fn))

for name, values, dtype, exp in [
  ("o-reshape-nan.onnx", [1, np.nan], np.float32, "shape"),
  ("o-reshape-inf.onnx", [1, np.inf], np.float32, "shape"),
  ("o-reshape-int64max.onnx", [1, 2**63 - 1], np.int64, "shape"),
  ("o-reshape-two-unknown.onnx", [-1, -1], np.int64, "more than one -1"),
  ("o-reshape-wrong-count.onnx", [1, 63], np.int64, "Reshape"),
]:
    case(exp, "run", "--workload", onnx_file(name, reshape_graph(values, dtype)))
case("ok", "run", "--workload", onnx_file("o-reshape-ok.onnx", reshape_graph([1, -1])))
nodes, inits = base(); nodes[3] = helper.make_node("Reshape", ["p"], ["f"], name="flat")
case("Reshape", "run", "--workload", onnx_file("o-reshape-no-shape.onnx", model(nodes, inits)))

# Inputs the importer must refuse whole.
case("o-empty.onnx", "run", "--workload", onnx_file("o-empty.onnx", b""))
case("o-garbage.onnx", "run", "--workload", onnx_file("o-garbage.onnx", b"\x08\x07\x12\xff\xff\xff\xff\x0fjunk" * 10))
case("o-truncated.onnx", "run", "--workload", onnx_file("o-truncated.onnx", model(*base()).SerializeToString()[:300]))
nodes, inits = base()
case("input", "run", "--workload", onnx_file("o-input-zero-dim.onnx", model(nodes, inits,
     inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 0, 8, 8])])))
case("input", "run", "--workload", onnx_file("o-input-rank2.onnx", model(nodes, inits,
     inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64])])))
case("input", "run", "--workload", onnx_file("o-input-huge.onnx", model(nodes, inits,
     inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 2**40, 8])])))

# Names other tools must be able to read back: every output file of the run must stay valid.
for i, (conv, fc) in enumerate([("conv\ttab", "fc\u0001ctl"), ("a<b>&c", "fc \"quoted\", comma"),
                                 ("cr\rlf\nname", "crlf\r\nname"), ("007", "1e5"), ("inf", "nan"),
                                 ("ünïcödé µ", "emoji 😀"), ("\\back\\slash", "/slash/"), ("x" * 300, "fc")]):
    nodes, inits = base(conv_name=conv, fc_name=fc)
    f = onnx_file("o-names-%d.onnx" % i, model(nodes, inits))
    case("ok", "run", "--workload", f, "--trace")
    if i < 3:
        case("ok", "run", "--workload", f, "--compress", "lowrank:rank=2,layers=all", "--mapper", "lowrank")
        case("ok", "run", "--workload", f, "--compress", "prune-rows:ratio=0.5")
nodes, inits = base(fc_name="fc", pool_name="fc.L")
case("its low-rank factor would be named fc.L", "run", "--workload", onnx_file("o-factor-name-taken.onnx", model(nodes, inits)),
     "--compress", "lowrank:rank=2,layers=all", "--mapper", "lowrank")

# ---------------------------------------------------------------------------------------------
# Functional paths on the digits model: 16 test images, 16 calibration images.
t = np.load(os.path.join(D, "../digits/digits-test.npz"))
c = np.load(os.path.join(D, "../digits/digits-calib.npz"))
X, Y, CX = t["x"][:16].astype(np.float32), t["y"][:16], c["x"][:16].astype(np.float32)
def npz(name, **arrays):
    np.savez(path(name), **arrays)
    return "$D/" + name
cal = npz("d-calib16.npz", x=CX, y=c["y"][:16])
data = npz("d-test16.npz", x=X, y=Y)
M = DIGITS + "/digits-cnn.onnx"
def ev(exp, d=data, k=cal, *extra): case(exp, "eval", "--model", M, "--data", d, "--calibration", k, *extra)
ev("ok")
ev("ok", npz("d-x-big.npz", x=np.full_like(X, 3e38), y=Y))
ev("ok", npz("d-x-negbig.npz", x=np.full_like(X, -3e38), y=Y))
ev("ok", npz("d-x-denormal.npz", x=np.full_like(X, 1e-40), y=Y))
x1 = X.copy(); x1[0, 0, 0, 0] = 1e20
ev("ok", npz("d-x-pixel1e20.npz", x=x1, y=Y))
ev("calibration image 0: layer", data, npz("d-calib-big.npz", x=np.full_like(CX, 3e38)))
ev("ok", data, npz("d-calib-denormal.npz", x=np.full_like(CX, 1e-40)))
ev("ok", data, npz("d-calib-zero.npz", x=np.zeros_like(CX)))
ev("data.inputBits is 1", data, cal, "--set", "data.inputBits=1")
ev("ok", data, cal, "--set", "data.inputBits=2")
ev("ok", data, cal, "--set", "data.inputBits=32", "--set", "data.scales=float")
ev("ok", data, cal, "--set", "data.activationClipping=mse", "--set", "data.inputBits=3")
xn = X.copy(); xn[3, 0, 2, 2] = np.nan
ev("'x' value", npz("d-x-nan.npz", x=xn, y=Y))
xi = X.copy(); xi[1, 0, 0, 0] = np.inf
ev("'x' value", npz("d-x-inf.npz", x=xi, y=Y))
ev("label 0 is 10", npz("d-y-range.npz", x=X, y=np.full_like(Y, 10)))
ev("label 0 is -1", npz("d-y-negative.npz", x=X, y=np.full(16, -1, np.int64)))
ev("label 0 is 0.5", npz("d-y-fraction.npz", x=X, y=np.full(16, 0.5, np.float32)))
ev("'x' has shape", npz("d-x-shape.npz", x=X.reshape(16, 64), y=Y))
ev("'y' has shape", npz("d-y-shape.npz", x=X, y=Y[:15]))
ev("no array 'y'", npz("d-no-y.npz", x=X))
ev("no array 'x'", npz("d-no-x.npz", y=Y))
ev("no images", npz("d-empty.npz", x=X[:0], y=Y[:0]))
with zipfile.ZipFile(path("d-unused-junk.npz"), "w") as z:   # a member no reader needs, unreadable
    for k, v in [("x", X), ("y", Y)]:
        b = io.BytesIO(); np.save(b, v); z.writestr(k + ".npy", b.getvalue())
    z.writestr("junk.npy", b"not numpy")
ev("ok", "$D/d-unused-junk.npz")
with zipfile.ZipFile(path("d-x-bomb.npz"), "w", compression=zipfile.ZIP_DEFLATED) as z:   # x unpacks past 1 GiB
    with z.open("x.npy", "w", force_zip64=True) as h:
        chunk = bytes(1 << 24)
        for _ in range(70): h.write(chunk)
    b = io.BytesIO(); np.save(b, Y); z.writestr("y.npy", b.getvalue())
ev("unpacks to", "$D/d-x-bomb.npz")
ev("not a .npz", onnx_file("d-not-zip.npz", b"PK\x03\x04 not a zip at all"))
case("ok", "run", "--model", M, "--eval", data, "--calibration", cal)
case("calibration image 0", "run", "--model", M, "--eval", data, "--calibration", "$D/d-calib-big.npz")
case("calibration: layer conv1's output reaches", "bench", "--functional", M, "--functional-data", "$D/d-x-big.npz")
case("ok", "bench", "--functional", M, "--functional-data", "$D/d-x-denormal.npz")
case("data.inputBits is 1", "bench", "--functional", M, "--functional-data", data, "--set", "data.inputBits=1")
case("ok", "compare", "--model", M, "--data", "$D/d-x-big.npz", "--calibration", cal, "--no-defaults",
     "--variant", "pruned=--compress prune-rows:ratio=0.5")
case("calibration image 0", "compare", "--model", M, "--data", data, "--calibration", "$D/d-calib-big.npz",
     "--no-defaults", "--variant", "pruned=--compress prune-rows:ratio=0.5")

def weights_model(name, fn):
    m = onnx.load(os.path.join(D, "../digits/digits-cnn.onnx"))
    for i, t in enumerate(m.graph.initializer):
        a = numpy_helper.to_array(t).copy()
        if fn(t.name, a) is not None:
            m.graph.initializer[i].CopyFrom(numpy_helper.from_array(fn(t.name, a).astype(np.float32), t.name))
    return onnx_file(name, m)
for name, fn, exp in [
  ("d-bias-1e30.onnx", lambda n, a: np.full_like(a, 1e30) if n == "fc.bias" else None, "ok"),
  ("d-weight-denormal.onnx", lambda n, a: np.full_like(a, 1e-40) if n == "conv2.weight" else None, "ok"),
  ("d-weight-3e38.onnx", lambda n, a: np.full_like(a, 3e38) if n == "fc.weight" else None, "layer fc computes inf"),
  ("d-weight-1e30.onnx", lambda n, a: np.full_like(a, 1e30) if n == "fc.weight" else None, "ok"),
  ("d-bn-overflow.onnx", lambda n, a: np.full_like(a, 3e38) if n == "conv1.weight" else None, "inf"),
]:
    case(exp, "eval", "--model", weights_model(name, fn), "--data", data, "--calibration", cal)

# ---------------------------------------------------------------------------------------------
# compare: budgets and labels.
T = "$D/../../../traces/NetWork_tiny.csv"
for m in ["params=inf", "params=1e19", "params=1e300", "params=nan", "params=0", "crossbars=inf", "crossbars=1e19",
          "crossbars=0", "crossbars=1.5", "error=0", "error=2", "accuracy=1.5", "accuracy=0.5", "size=3", "params"]:
    case("--match", "compare", "--workload", T, "--match", m)
for label in ["inf", "nan", "007", "1e5", "tab\there", "comma,quote\"", "new\nline", "<svg>&amp;", " space", "ünï"]:
    case("ok", "compare", "--workload", T, "--no-defaults", "--variant", label + "=--compress prune-rows:ratio=0.5",
         "--variant", "dense=--mapper im2col")
case("expected LABEL=OPTIONS", "compare", "--workload", T, "--no-defaults", "--variant", "=--mapper im2col")
case("--variant a is given twice", "compare", "--workload", T, "--no-defaults", "--variant", "a=--mapper im2col", "--variant", "a=--mapper sdk")
case("--variant", "compare", "--workload", T, "--no-defaults")

# ---------------------------------------------------------------------------------------------
# Sweeps: specs and merges.
S = lambda body: "version: 1\nbase: {workload: vgg8}\nobjectives: [energyPerImage, imagesPerSecond]\n" + body
def spec(name, body):
    with open(path(name), "w") as h: h.write(body)
    return "$D/" + name
for name, body, exp in [
  ("s-int-range-huge.yaml", S("grid: {images: {min: -1e308, max: 1e308, integer: true}}\nrandom: {points: 3}\n"), "min is -1e+308"),
  ("s-int-range-max.yaml", S("grid: {images: {min: 1, max: 1e19, integer: true}}\nrandom: {points: 3}\n"), "max is 1e+19"),
  ("s-range-nan.yaml", S("grid: {arch.clockGHz: {min: .nan, max: 2}}\nrandom: {points: 3}\n"), "finite numbers"),
  ("s-range-inf.yaml", S("grid: {arch.clockGHz: {min: 1, max: .inf}}\nrandom: {points: 3}\n"), "finite numbers"),
  ("s-range-reversed.yaml", S("grid: {arch.clockGHz: {min: 2, max: 1}}\nrandom: {points: 3}\n"), "min <= max"),
  ("s-range-log-zero.yaml", S("grid: {arch.clockGHz: {min: 0, max: 1, scale: log}}\nrandom: {points: 3}\n"), "min > 0"),
  ("s-range-no-integer.yaml", S("grid: {images: {min: 1.2, max: 1.8, integer: true}}\nrandom: {points: 3}\n"), "no whole number"),
  ("s-range-key.yaml", S("grid: {images: {min: 1, max: 2, step: 1}}\nrandom: {points: 3}\n"), "unknown range key 'step'"),
  ("s-range-mapper.yaml", S("grid: {mapper: {min: 1, max: 2}}\nrandom: {points: 3}\n"), "numeric parameter"),
  ("s-random-seed.yaml", S("grid: {mapper: [im2col]}\nrandom: {points: 3, seed: -1}\n"), "random.seed"),
  ("s-random-huge.yaml", S("grid: {mapper: [im2col]}\nrandom: {points: 100000000}\n"), "'random' must be"),
  ("s-one-objective.yaml", S("grid: {mapper: [im2col]}\n").replace("[energyPerImage, imagesPerSecond]", "[energyPerImage]"),
   "at least two"),
  ("s-bad-value-last.yaml", S("grid:\n  mapper: [im2col, sdk, vw-sdk, im2col, sdk, vw-sdk, im2col, sdk, vw-sdk, nope]\n"
      + "".join("  arch.ima.adc.bits%s: [3, 4, 5, 6, 7, 8, 9, 10, 6, 7]\n" % s for s in [""])
      + "  arch.chip.tiles: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  images: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"
      + "  seed: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n  schedule: [layer, pipeline, layer, pipeline, layer, pipeline, layer, "
      + "pipeline, layer, pipeline]\n  arch.ima.adc.countPerCrossbar: [1, 2, 3, 4, 1, 2, 3, 4, 1, 2]\n"),
   "point 9000000 (mapper=nope"),
  ("s-value-newline.yaml", S("grid: {mapper: [\"im2col\\nsdk\"]}\n"), "im2col\nsdk"),
  ("s-version.yaml", S("grid: {mapper: [im2col]}\n").replace("version: 1", "version: 2"), "version"),
]:
    case(exp, "sweep", spec(name, body), "--out", "/nonexistent-dir-simrun/x")
for bad in ["a/b", "-1/2", "1/0", "2/2", "1", "1/2/3", "9223372036854775808/2"]:
    case("--shard", "sweep", "$D/s-ok.yaml", "--shard", bad, "--out", "/nonexistent-dir-simrun/x")
case("--jobs 0", "sweep", "$D/s-ok.yaml", "--jobs", "0", "--out", "/nonexistent-dir-simrun/x")

# Merges of finished shard folders, read only. m-ok is a real 2-point sweep's folder; the others edit it.
import shutil, subprocess
okspec = spec("m-spec.yaml", "version: 1\nbase: {workload: %s}\ngrid: {arch.ima.adc.bits: [6, 8]}\n" % "NetWork_tiny.csv"
              + "objectives: [energyPerImage, imagesPerSecond]\n")
simrun = os.path.join(D, "../../../.build/release/simrun")
shutil.copy(os.path.join(D, "../../../traces/NetWork_tiny.csv"), path("NetWork_tiny.csv"))
for d in ["m-ok", "m-contradict", "m-beyond", "m-torn", "m-header", "m-no-results", "m-other-spec"]:
    shutil.rmtree(path(d), ignore_errors=True)
subprocess.run([simrun, "sweep", "m-spec.yaml", "--out", "m-ok", "--progress", "none"], cwd=D, check=True,
               stdout=subprocess.DEVNULL)
os.remove(path("m-ok/sweep.lock"))
results = open(path("m-ok/results.csv")).read()
def edited(d, fn):
    shutil.copytree(path("m-ok"), path(d))
    fn(path(d))
    return "$D/" + d
def write(p, text): open(p, "w").write(text)
os.remove(path("NetWork_tiny.csv"))   # m-ok is written; merges never load the workload
case("ok", "merge", "$D/m-ok", "--out", "$OUT")
case("point 0's values contradict the spec (arch.ima.adc.bits is 8, the spec gives 6)", "merge",
     edited("m-contradict", lambda d: write(d + "/results.csv", results.replace("\n0,6,", "\n0,8,"))), "--out", "$OUT")
case("point 2 does not exist", "merge",
     edited("m-beyond", lambda d: write(d + "/results.csv", results.replace("\n1,8,", "\n2,8,"))), "--out", "$OUT")
case("cut short", "merge", edited("m-torn", lambda d: write(d + "/results.csv", results[:-5])), "--out", "$OUT")
case("not the results.csv of this sweep", "merge",
     edited("m-header", lambda d: write(d + "/results.csv", results.replace("point,", "pt,", 1))), "--out", "$OUT")
case("no results.csv", "merge", edited("m-no-results", lambda d: os.remove(d + "/results.csv")), "--out", "$OUT")
case("a different sweep", "merge", "$D/m-ok", edited("m-other-spec", lambda d: write(d + "/sweep.yaml",
     open(d + "/sweep.yaml").read().replace("[6, 8]", "[6, 7]"))), "--out", "$OUT")
case("no sweep.yaml", "merge", "$D", "--out", "$OUT")

# Options that reach integer conversions.
for exp, args in [
  ("--images", ["run", "--workload", T, "--images", "1e19"]),
  ("--images", ["run", "--workload", T, "--images", "0"]),
  ("--seed", ["run", "--workload", T, "--seed", "1e300"]),
  ("chip.tiles", ["run", "--workload", T, "--set", "chip.tiles=1e300"]),
  ("chip.tiles", ["run", "--workload", T, "--set", "chip.tiles=inf"]),
  ("data.inputBits", ["run", "--workload", T, "--set", "data.inputBits=1e19"]),
  ("ratio", ["run", "--workload", T, "--compress", "prune-rows:ratio=inf"]),
  ("rank", ["run", "--workload", T, "--compress", "lowrank:rank=1e300"]),
  ("params", ["run", "--workload", T, "--compress", "lowrank:params=1e19"]),
  ("crossbars", ["run", "--workload", T, "--compress", "prune-crossbar:crossbars=1e19"]),
  ("--replicate", ["run", "--workload", T, "--replicate", "conv1=1e19"]),
  ("--replicate", ["run", "--workload", T, "--replicate", "auto:crossbars=1e300"]),
]:
    case(exp, *args)

with open(path("surfaces.jsonl"), "w") as h:
    for c_ in cases: h.write(json.dumps(c_, ensure_ascii=False) + "\n")
print(len(cases), "cases")
