#!/usr/bin/env python3
"""Exports standard CNNs from torchvision (seeded random weights, no downloads) to ONNX through both
exporters PyTorch offers, with onnxruntime's logits on seeded inputs, for `simrun eval` and the tests.

Used only to regenerate fixtures; the simulator never runs Python. Requirements (a CPU build is enough):

    pip install torch torchvision onnx onnxruntime onnxscript

Usage:

    python3 Tests/Fixtures/pytorch/export.py --out DIR [--models a,b,...] [--images N] [--small]

For each model M and exporter E (`ts`: the TorchScript exporter, opset 13; `dynamo`: the default
`torch.onnx.export(..., dynamo=True)`, opset 18), it writes `DIR/M-E.onnx` and `DIR/M-E-data.npz`
with `x` (N x C x H x W float32, seeded normal), `logits` (onnxruntime's output) and `y` (onnxruntime's
top-1 class, int64), so that `simrun eval --model DIR/M-E.onnx --data DIR/M-E-data.npz` reports the
float path's top-1 agreement with onnxruntime as its float accuracy. `--small` exports the reduced
models committed under Tests/Fixtures/pytorch (a few MB in all); the default is the 14 full-size
networks of issue 24 at their standard input size.
"""
import argparse
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# torchvision's C++ ops (nms, roi_align) are not needed for classification models; a CUDA build of
# torchvision on a CPU-only torch cannot load them, so skip their registration.
sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import torchvision.models as tvm  # noqa: E402


# --- CIFAR ResNet-20 (He et al. 2016, section 4.2), option A (zero-padded identity) or B (1x1 conv) shortcuts

class Block(nn.Module):
    def __init__(self, cin, cout, stride, option):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.option, self.pad = option, (cout - cin) // 2
        self.shortcut = None
        if stride != 1 or cin != cout:
            if option == "B":
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
            else:
                self.shortcut = "A"

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.shortcut is None:
            s = x
        elif self.shortcut == "A":
            s = F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad))
        else:
            s = self.shortcut(x)
        return F.relu(out + s)


class CifarResNet(nn.Module):
    def __init__(self, option, blocks=3, width=16, classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(width)
        layers, cin = [], width
        for stage, w in enumerate([width, 2 * width, 4 * width]):
            for b in range(blocks):
                layers.append(Block(cin, w, 2 if stage > 0 and b == 0 else 1, option))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.layers(F.relu(self.bn(self.conv(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# --- The models: name -> (constructor, input side)

FULL = {
    "resnet18": (lambda: tvm.resnet18(), 224),
    "resnet50": (lambda: tvm.resnet50(), 224),
    "vgg11bn": (lambda: tvm.vgg11_bn(), 224),
    "alexnet": (lambda: tvm.alexnet(), 224),
    "squeezenet1_1": (lambda: tvm.squeezenet1_1(), 224),
    "googlenet": (lambda: tvm.googlenet(aux_logits=False, init_weights=True), 224),
    "densenet121": (lambda: tvm.densenet121(), 224),
    "mobilenetv2": (lambda: tvm.mobilenet_v2(), 224),
    "mobilenetv3small": (lambda: tvm.mobilenet_v3_small(), 224),
    "efficientnetb0": (lambda: tvm.efficientnet_b0(), 224),
    "mnasnet": (lambda: tvm.mnasnet1_0(), 224),
    "regnetx400mf": (lambda: tvm.regnet_x_400mf(), 224),
    "shufflenetv2": (lambda: tvm.shufflenet_v2_x1_0(), 224),
    "resnet20a": (lambda: CifarResNet("A"), 32),
    "resnet20b": (lambda: CifarResNet("B"), 32),
}

# Reduced models small enough to commit: the same operators at a fraction of the width and input.
SMALL = {
    "resnet20a": (lambda: CifarResNet("A"), 32),
    "resnet20b": (lambda: CifarResNet("B"), 32),
    "mobilenetv2": (lambda: tvm.mobilenet_v2(width_mult=0.25, num_classes=10), 32),
    "mobilenetv3small": (lambda: small_mobilenet_v3(), 32),
    "shufflenetv2": (lambda: tvm.shufflenet_v2_x0_5(num_classes=10), 32),
    "densenet": (lambda: tvm.DenseNet(growth_rate=8, block_config=(2, 2, 2), num_init_features=16, bn_size=2,
                                      num_classes=10), 32),
}


def small_mobilenet_v3():
    """MobileNet-V3-Small at a quarter width (squeeze-excite, HardSwish, HardSigmoid), 10 classes."""
    from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf
    setting, last = _mobilenet_v3_conf("mobilenet_v3_small", width_mult=0.25)
    return MobileNetV3(setting, last, num_classes=10)


def seeded(model, seed, side):
    """Makes a randomly initialised network discriminative: BatchNorm affine parameters drawn at
    random, and running statistics measured on seeded inputs (so every layer's output is normalised
    as after training; with torchvision's defaults the activations of a deep random network shrink
    or blow up until all images get nearly the same logits, and top-1 agreement means nothing)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(torch.rand(n, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.rand(n, generator=g) * 0.2 - 0.1)
                m.reset_running_stats()
                m.momentum = None   # a cumulative average over the calibration batches
        model.train()
        for _ in range(4):
            model(torch.randn(8, 3, side, side, generator=g))
    return model.eval()


def export(model, x, path, exporter):
    if exporter == "ts":
        torch.onnx.export(model, (x[:1],), path, dynamo=False, opset_version=13, input_names=["input"],
                          output_names=["logits"])
    else:
        prog = torch.onnx.export(model, (x[:1],), dynamo=True, opset_version=18, input_names=["input"],
                                 output_names=["logits"])
        prog.save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default="")
    ap.add_argument("--exporters", default="ts,dynamo")
    ap.add_argument("--images", type=int, default=16)
    ap.add_argument("--small", action="store_true")
    a = ap.parse_args()
    import onnxruntime as ort
    table = SMALL if a.small else FULL
    names = a.models.split(",") if a.models else list(table)
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(1)
    for name in names:
        make, side = table[name]
        torch.manual_seed(0)
        model = seeded(make(), 1, side)
        x = torch.randn(a.images, 3, side, side, generator=torch.Generator().manual_seed(2))
        for exporter in a.exporters.split(","):
            path = os.path.join(a.out, f"{name}-{exporter}.onnx")
            try:
                export(model, x, path, exporter)
            except Exception as e:  # report and go on: one failing export should not stop the rest
                print(f"{name}-{exporter}: export failed: {e}", file=sys.stderr)
                continue
            sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            iname = sess.get_inputs()[0].name
            logits = np.concatenate([sess.run(None, {iname: x[i:i + 1].numpy()})[0] for i in range(a.images)])
            with torch.no_grad():
                ref = model(x).numpy()
            agree = float((ref.argmax(1) == logits.argmax(1)).mean())
            np.savez(os.path.join(a.out, f"{name}-{exporter}-data.npz"), x=x.numpy().astype(np.float32),
                     y=logits.argmax(1).astype(np.int64), logits=logits.astype(np.float32))
            print(f"{name}-{exporter}: {os.path.getsize(path)} bytes, onnxruntime/torch top-1 agreement {agree:.3f}")


if __name__ == "__main__":
    main()
