#!/usr/bin/env python3
"""Writes the bad-input corpus: files and cases.txt (one case per line: EXPECTED | ARGS, where
$D is this folder). Every case must end in a clean error whose message contains EXPECTED."""
import os, struct, zipfile, io
D = os.path.dirname(os.path.abspath(__file__))
cases = []
def f(name, data):
    p = os.path.join(D, name)
    with open(p, 'wb' if isinstance(data, bytes) else 'w') as h: h.write(data)
    return '$D/' + name
def case(expected, *args): cases.append((expected, list(args)))

# Arch files (--arch FILE)
A = lambda body: "version: 1\n" + body
arch = [
  ("a-no-version.yaml", "ima: {adc: {bits: 6}}\n", "missing key 'version'"),
  ("a-version-text.yaml", "version: '1'\n", "'version'"),
  ("a-version-2.yaml", "version: 2\n", "'version'"),
  ("a-unknown-top.yaml", A("voltage: 1\n"), "unknown key 'voltage'"),
  ("a-unknown-nested.yaml", A("ima: {adc: {bitz: 6}}\n"), "unknown key 'ima.adc.bitz'"),
  ("a-string-for-int.yaml", A("chip: {tiles: many}\n"), "chip.tiles"),
  ("a-fraction-for-int.yaml", A("ima: {adc: {countPerCrossbar: 1.5}}\n"), "'ima.adc.countPerCrossbar' is 1.5"),
  ("a-negative-count.yaml", A("tile: {imas: -4}\n"), "tile.imas"),
  ("a-zero-rows.yaml", A("ima: {crossbar: {rows: 0}}\n"), "ima.crossbar.rows"),
  ("a-huge-rows.yaml", A("ima: {crossbar: {rows: 4611686018427387904}}\n"), "ima.crossbar.rows"),
  ("a-clock-zero.yaml", A("clockGHz: 0\n"), "clockGHz"),
  ("a-clock-huge.yaml", A("clockGHz: 1e300\n"), "clockGHz"),
  ("a-clock-nan.yaml", A("clockGHz: .nan\n"), "clockGHz"),
  ("a-clock-inf.yaml", A("clockGHz: .inf\n"), "clockGHz"),
  ("a-latency-huge.yaml", A("ima: {crossbar: {readLatencyNs: 1e18}}\n"), "ima.crossbar.readLatencyNs"),
  ("a-tiles-huge.yaml", A("chip: {tiles: 1000000000000000000}\n"), "chip.tiles"),
  ("a-imas-huge.yaml", A("tile: {imas: 4611686018427387904}\n"), "tile.imas"),
  ("a-bits-per-cell.yaml", A("ima: {crossbar: {bitsPerCell: 9}}\n"), "ima.crossbar.bitsPerCell"),
  ("a-adc-bits-fraction.yaml", A("ima: {adc: {bits: 8.5}}\n"), "ima.adc.bits"),
  ("a-adc-bits-word.yaml", A("ima: {adc: {bits: lots}}\n"), "ima.adc.bits"),
  ("a-list-top.yaml", "- version: 1\n", "expected a mapping"),
  ("a-empty.yaml", "", "expected a mapping"),
  ("a-garbage.yaml", b"\x00\xff\xfe binary \x01", "a-garbage.yaml"),
  ("a-malformed.yaml", "version: 1\nima: {adc: [\n", "malformed YAML"),
  ("a-base-unknown.yaml", A("base: isaac-99\n"), "'base'"),
  ("a-name-path.yaml", A("name: ../../escaped\n"), "'name' is '../../escaped'"),
  ("a-input-register.yaml", A("ima: {inputRegister: {sizeBytes: 1}}\n"), "ima.inputRegister.sizeBytes"),
  ("a-output-register.yaml", A("tile: {outputRegister: {sizeBytes: 1}}\n"), "tile.outputRegister.sizeBytes"),
  ("a-device-sigma.yaml", A("device: {programmingSigma: -1}\n"), "device.programmingSigma"),
  ("a-adc-both-shared.yaml", A("ima: {adc: {countPerCrossbar: 2, crossbarsPerADC: 2}}\n"), "not both"),
  ("a-alias-key.yaml", "version: 1\na: &a [1]\n*a : 3\n", "a mapping key must be a plain name"),
  ("a-merge-scalar.yaml", "version: 1\n<<: 3\n", "a merge key (<<) must merge mappings"),
  ("a-mapping-for-scalar.yaml", A("clockGHz: {fast: true}\n"), "'clockGHz' must be a single value"),
  ("a-scalar-for-mapping.yaml", A("ima: 3\n"), "'ima' must be a mapping"),
]
bomb = "version: 1\na: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
    "%s: &%s [%s]\n" % (c, c, ",".join(["*" + p] * 10)) for p, c in zip("abcdefgh", "bcdefghi"))
arch.append(("a-alias-bomb.yaml", bomb, "values, counting what its aliases expand to"))
# Found by the RunFile fuzzer: a key that is an alias of the bomb hung Yams' duplicate-key hashing.
arch.append(("a-alias-key-bomb.yaml", bomb + "j: [*i: 1]\n", "values, counting what its aliases expand to"))
arch.append(("a-deep.yaml", "version: 1\nx: " + "[" * 200 + "]" * 200 + "\n", "nest deeper than 100 levels"))
arch.append(("a-deeper.yaml", "version: 1\nx: " + "[" * 2000 + "]" * 2000 + "\n", "Maximum nesting level"))
for name, body, exp in arch:
    case(exp, "run", "--arch", f(name, body))

# --set overrides
for kv, exp in [("ima.adc.bitz=6", "unknown key 'ima.adc.bitz'"), ("chip.tiles", "expected key.path=value"),
                ("=3", "empty key path"), ("chip.tiles=1e18", "chip.tiles"), ("ima.adc.bits=8.5", "ima.adc.bits"),
                ("clockGHz=1e300", "clockGHz"), ("ima.crossbar.rows=4611686018427387904", "ima.crossbar.rows"),
                ("tile.buffer.sizeKB=0.01", "'tile.buffer.sizeKB' is 0.01"), ("name=a/b", "'name' is 'a/b'"),
                ("ima.adc.countPerCrossbar=-2", "ima.adc.countPerCrossbar"),
                ("ima.adc.bits=[[x]:]", "ima.adc.bits")]:
    case(exp, "run", "--set", kv)

# Run files (--config FILE)
R = lambda body: "version: 1\n" + body
for name, body, exp in [
  ("r-unknown-keys.yaml", R("wrkload: vgg8\nimagez: 3\n"), "unknown key 'imagez'"),
  ("r-no-version.yaml", "workload: vgg8\n", "'version' must be 1"),
  ("r-seed-negative.yaml", R("seed: -1\n"), "'seed' is -1"),
  ("r-seed-fraction.yaml", R("seed: 1.5\n"), "'seed' is 1.5"),
  ("r-images-zero.yaml", R("images: 0\n"), "'images' is 0"),
  ("r-schedule.yaml", R("schedule: sideways\n"), "schedule"),
  ("r-mapper-kind.yaml", R("mapper: {kind: magic}\n"), "magic"),
  ("r-compress-not-list.yaml", R("compress: prune-rows\n"), "compress"),
  ("r-alias-bomb.yaml", bomb, "values, counting what its aliases expand to"),
  ("r-options-nested.yaml", R("mapper: {kind: sdk, options: {n: {a: 1}}}\n"), "mapper"),
  ("r-list-top.yaml", "- 1\n", "expected a mapping"),
]:
    case(exp, "run", "--config", f(name, body))

# NeuroSim CSV rows (--workload FILE)
for name, body, exp in [
  ("n-fields.csv", "32,32,3,3,3\n", "expected 7 or 8"),
  ("n-not-int.csv", "32,32,3,3,3,x,0,1\n", "field 6 'x' is not an integer"),
  ("n-zero.csv", "32,32,0,3,3,16,0,1\n", "IFM channels is 0"),
  ("n-negative.csv", "32,-32,3,3,3,16,0,1\n", "IFM width is -32"),
  ("n-huge-oc.csv", "34,34,3,3,3,1000000000,0,1\n", "output channels is 1000000000"),
  ("n-int-max.csv", "9223372036854775807,34,3,3,3,16,0,1\n", "IFM height is 9223372036854775807"),
  ("n-pool-flag.csv", "32,32,3,3,3,16,2,1\n", "pooled flag is 2"),
  ("n-stride-zero.csv", "32,32,3,3,3,16,0,0\n", "stride is 0"),
  ("n-kernel-big.csv", "3,3,3,5,5,16,0,1\n", "larger than the (already padded) IFM"),
  ("n-fc-mismatch.csv", "32,32,3,3,3,16,1,1\n1,1,999,1,1,10,0,1\n", "FC row reads 999 inputs"),
  ("n-empty.csv", "", "no layers"),
  ("n-comments.csv", "# nothing\n\n", "no layers"),
  ("n-channels.csv", "32,32,3,3,3,16,0,1\n30,30,7,3,3,16,0,1\n", "IFM channels 7 match no earlier tensor"),
  ("n-weights-huge.csv", "1,1,1000000,1,1,1000000,0,1\n", "weights; at most"),
  ("n-map-huge.csv", "1048576,1048576,64,1,1,16,0,1\n", "at most 268435456 values"),
  ("n-garbage.csv", b"\x00\x01\x02,\xff\n", "cannot read as UTF-8 text"),
]:
    case(exp, "run", "--workload", f(name, body))

# Weight files (--weights FILE with --compress so they are read)
def npy(shape, descr="<f4", data=b"", version=1):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    h = h + " " * (118 - len(h)) + "\n"
    if version == 1: return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + data
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(h)) + h.encode() + data
def npz(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        # A fixed timestamp, so rerunning this script rewrites the same bytes.
        for k, v in members.items(): z.writestr(zipfile.ZipInfo(k, (1980, 1, 1, 0, 0, 0)), v)
    return b.getvalue()
conv1 = npy([16, 3, 3, 3], data=b"\0" * (432 * 4))
nan = struct.pack("<f", float("nan"))
W = ["--workload", "resnet20", "--compress", "quant-pow2", "--weights"]
for name, data, exp in [
  ("w-bad-magic.npy", b"NOTNUMPY" + b"\0" * 100, "bad magic"),
  ("w-truncated-header.npy", b"\x93NUMPY\x01\x00\xff\x00{'descr'", "truncated .npy header"),
  ("w-version-9.npy", npy([1], version=9), "unsupported .npy version 9"),
  ("w-huge-shape.npy", npy([1000000000000]), "holds more than 268435456 values"),
  ("w-overflow-shape.npy", npy([4611686018427387904, 4]), "holds more than 268435456 values"),
  ("w-bad-dtype.npy", npy([4], descr="<f3", data=b"\0" * 12), "unsupported dtype '<f3'"),
  ("w-truncated-data.npy", npy([16, 3, 3, 3], data=b"\0" * 100), ".npy data has 100 bytes"),
  ("w-not-zip.npz", b"PK\x03\x04 this is not a zip", "not a .npz (zip) archive"),
  ("w-empty.npz", npz({}), "archive holds no .npy arrays"),
  ("w-unknown-layer-2.npz", npz({"convX.npy": npy([16, 3, 3, 3], data=b"\0" * 432 * 4)}), "arrays matching no layer: convX"),
  ("w-nan.npz", npz({"conv1.npy": npy([16, 3, 3, 3], data=nan * 432)}), "conv1"),
  ("w-shape-mismatch.npz", npz({"conv1.npy": npy([16, 3, 3, 2], data=b"\0" * 288 * 4)}), "conv1"),
  ("w-unknown-layer.npz", npz({"convX.npy": npy([1], data=b"\0" * 4)}), "convX"),
  ("w-shape-parens.npy", (lambda h: b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h)(b"{'descr': '<f4', 'fortran_order': False, 'shape': )1(, }   "), "cannot read the shape"),
  ("w-no-shape.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", 40) + b"{'descr': '<f4', 'fortran_order': False}", "'shape'"),
]:
    case(exp, "run", *W, f(name, data))

# Options
O = [
  ("option n='9223372036854775807'", ["run", "--mapper", "sdk:n=9223372036854775807"]),
  ("magic", ["run", "--mapper", "magic"]),
  ("unknown option 'zz'", ["run", "--mapper", "sdk:zz=1"]),
  ("prune-everything", ["run", "--compress", "prune-everything"]),
  ("ratio", ["run", "--compress", "prune-rows:ratio=2"]),
  ("option rank='0'", ["run", "--compress", "lowrank:rank=0"]),
  ("give exactly one of", ["run", "--compress", "prune-rows"]),
  ("--replicate 'bogus'", ["run", "--replicate", "bogus"]),
  ("--images -1", ["run", "--images", "-1"]),
  ("--seed -1: must be a whole number in 0...", ["run", "--seed", "-1"]),
  ("--jobs 0", ["compare", "--jobs", "0", "--workload", "vgg8"]),
  ("--array '0x0'", ["map", "--array", "0x0"]),
  ("--array '9223372036854775807x128'", ["map", "--array", "9223372036854775807x128"]),
  ("--weight-bits -1", ["map", "--weight-bits", "-1"]),
  ("schedule", ["run", "--schedule", "sideways"]),
  ("--match params=-1", ["compare", "--match", "params=-1"]),
  ("--repeats -1", ["bench", "--repeats", "-1"]),
  ("--shard 3/3", ["sweep", "$D/s-ok.yaml", "--shard", "3/3"]),
  ("--progress maybe", ["sweep", "$D/s-ok.yaml", "--progress", "maybe"]),
]
f("s-ok.yaml", "version: 1\ngrid: {mapper: [im2col]}\nobjectives: [energyPerImage, imagesPerSecond]\n")
for exp, args in O: case(exp, *args)

# Sweep specs
S = lambda body: "version: 1\nobjectives: [energyPerImage, imagesPerSecond]\n" + body
for name, body, exp in [
  ("s-no-grid.yaml", S(""), "'grid' must map"),
  ("s-empty-list.yaml", S("grid: {mapper: []}\n"), "the list of values is empty"),
  ("s-unknown-param.yaml", S("grid: {voltage: [1]}\n"), "grid 'voltage': unknown parameter"),
  ("s-range-no-random.yaml", S("grid: {arch.ima.adc.bits: {min: 4, max: 8}}\n"), "ranges need 'random"),
  ("s-objective.yaml", "version: 1\ngrid: {mapper: [im2col]}\nobjectives: [speed, energy]\n", "objective 'speed'"),
  ("s-alias-bomb.yaml", bomb, "values, counting what its aliases expand to"),
  ("s-random-points.yaml", S("grid: {mapper: [im2col]}\nrandom: {points: 0}\n"), "'random' must be"),
  ("s-huge-grid.yaml", S("grid:\n" + "".join("  arch.ima.adc.bits%d: [1,2,3,4,5,6,7,8,9,10]\n" % i for i in range(8))), "more than 10000000 points"),
]:
    case(exp, "sweep", f(name, body), "--out", "/nonexistent-dir-simrun/x")

with open(os.path.join(D, "cases.txt"), "w") as h:
    h.write("# EXPECTED | ARGS ($D: this folder). Written by make.py.\n")
    for exp, args in cases: h.write(exp + " | " + " ".join(args) + "\n")
print(len(cases), "cases")
