#!/usr/bin/env python3
"""How far a network amplifies the rounding of its input alone, in onnxruntime: the float model on
the input rounded to `bits` (symmetric, scale max|x| / (2^(bits-1) - 1)) against the float model.

    python3 input_rounding.py DIR/resnet50-ts.onnx DIR/resnet50-ts-data.npz [--bits 8 10 12]

Prints the top-1 margins of the closest images (in standard deviations of their logits), then per
precision the logits' relative error and the top-1 agreement. `simrun eval`'s `float+input-codes`
row is the same experiment with the integer paths' input format (a power-of-two scale by default).
"""
import argparse

import numpy as np
import onnxruntime as ort

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("data")
p.add_argument("--bits", type=int, nargs="+", default=[8, 10, 12])
a = p.parse_args()
x = np.load(a.data)["x"].astype(np.float32)
s = ort.InferenceSession(a.model, providers=["CPUExecutionProvider"])
name = s.get_inputs()[0].name


def run(v):
    return np.concatenate([s.run(None, {name: v[i:i + 1]})[0] for i in range(len(v))])


f = run(x)
top = f.argmax(1)
srt = np.sort(f, 1)
margin = (srt[:, -1] - srt[:, -2]) / f.std(1)
print("closest top-1 margins (std of logits):", np.round(np.sort(margin), 3)[:5])
for bits in a.bits:
    scale = np.abs(x).max() / (2 ** (bits - 1) - 1)
    xq = (np.round(x / scale) * scale).astype(np.float32)
    g = run(xq)
    print(f"input rounded to {bits} bits: logits relative error {np.linalg.norm(g - f) / np.linalg.norm(f):.4f}, "
          f"top-1 agreement {(g.argmax(1) == top).mean():.3f}")
