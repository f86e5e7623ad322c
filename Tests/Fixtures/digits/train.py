#!/usr/bin/env python3
"""Trains the digits CNN fixture and regenerates every file in this folder.

    pip install numpy scikit-learn onnx onnxruntime
    python3 Tests/Fixtures/digits/train.py

Data: scikit-learn's `load_digits` (UCI handwritten digits, 1,797 8x8 images, 10 classes), pixels
0..16 scaled to [0, 1], split 80/20 with a fixed seed. The network (trained with plain numpy,
softmax cross-entropy, Adam, seeded, so the run is repeatable):

    input 1x8x8
    conv1 3x3x32 pad 1 -> BatchNorm -> ReLU                  (r1)
    conv2 3x3x32 pad 1 -> BatchNorm -> ReLU
    conv3 3x3x32 pad 1 -> BatchNorm -> Add(r1) -> ReLU       (residual)
    MaxPool 2x2 stride 2                                     32x4x4
    conv4 3x3x64 pad 1 -> ReLU                               64x4x4
    GlobalAveragePool -> Flatten -> Gemm 10                  logits

Training has no batch normalisation; the exported graph carries a BatchNormalization node after
conv1..conv3 with seeded per-channel statistics, and the conv weights and bias divided by the
same per-channel factor, so the graph computes exactly the trained function while exercising the
importer's BN folding.

`--splits-only` writes only the data files (digits-train.npz, digits-test.npz, digits-calib.npz),
needing only numpy and scikit-learn.

Writes: digits-cnn.onnx, digits-train.npz (the 1,437 training images, the ones not in the test split,
for `simrun finetune`), digits-test.npz (x: N,1,8,8 float32; y: N int64), digits-calib.npz
(256 training images for activation ranges), digits-cnn-weights.npz (the trained weights, BN
already folded, named like the built-in `digits-cnn` workload's layers: conv1.weight, conv1.bias,
..., fc.weight, fc.bias) and digits-reference.npz (onnxruntime's logits for the test split).
"""
import os
import sys
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)


def im2col(x, k=3, pad=1):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    cols = np.empty((n, c, k, k, h, w), dtype=x.dtype)
    for ky in range(k):
        for kx in range(k):
            cols[:, :, ky, kx] = xp[:, :, ky:ky + h, kx:kx + w]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * h * w, c * k * k)


def col2im(cols, shape, k=3, pad=1):
    n, c, h, w = shape
    cols = cols.reshape(n, h, w, c, k, k).transpose(0, 3, 4, 5, 1, 2)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for ky in range(k):
        for kx in range(k):
            xp[:, :, ky:ky + h, kx:kx + w] += cols[:, :, ky, kx]
    return xp[:, :, pad:pad + h, pad:pad + w]


class Conv:
    def __init__(self, cin, cout):
        self.w = rng.normal(0, np.sqrt(2.0 / (cin * 9)), (cout, cin, 3, 3)).astype(np.float32)
        self.b = np.zeros(cout, np.float32)

    def forward(self, x):
        self.shape = x.shape
        self.cols = im2col(x)
        n, _, h, w = x.shape
        y = self.cols @ self.w.reshape(len(self.b), -1).T + self.b
        return y.reshape(n, h, w, -1).transpose(0, 3, 1, 2)

    def backward(self, g):
        g2 = g.transpose(0, 2, 3, 1).reshape(-1, len(self.b))
        self.gw = (g2.T @ self.cols).reshape(self.w.shape)
        self.gb = g2.sum(0)
        return col2im(g2 @ self.w.reshape(len(self.b), -1), self.shape)

    def params(self):
        return [(self.w, 'gw'), (self.b, 'gb')]


class Net:
    def __init__(self):
        self.c1, self.c2, self.c3, self.c4 = Conv(1, 32), Conv(32, 32), Conv(32, 32), Conv(32, 64)
        self.fw = rng.normal(0, np.sqrt(1.0 / 64), (10, 64)).astype(np.float32)
        self.fb = np.zeros(10, np.float32)

    def forward(self, x):
        a1 = self.c1.forward(x); self.r1 = np.maximum(a1, 0)
        a2 = self.c2.forward(self.r1); self.r2 = np.maximum(a2, 0)
        a3 = self.c3.forward(self.r2); self.r3 = np.maximum(a3 + self.r1, 0)
        n = x.shape[0]
        blocks = self.r3.reshape(n, 32, 4, 2, 4, 2)
        p = blocks.max(axis=(3, 5))
        self.pmask = blocks == p[:, :, :, None, :, None]
        a4 = self.c4.forward(p); self.r4 = np.maximum(a4, 0)
        self.g = self.r4.mean(axis=(2, 3))
        return self.g @ self.fw.T + self.fb

    def backward(self, gl):
        self.gfw = gl.T @ self.g; self.gfb = gl.sum(0)
        gg = gl @ self.fw
        g4 = np.broadcast_to(gg[:, :, None, None] / 16.0, self.r4.shape) * (self.r4 > 0)
        gp = self.c4.backward(g4)
        n = gp.shape[0]
        gr3 = (self.pmask * gp[:, :, :, None, :, None]).reshape(n, 32, 8, 8)
        gr3 = gr3 * (self.r3 > 0)
        gr2 = self.c3.backward(gr3) * (self.r2 > 0)
        gr1 = self.c2.backward(gr2) + gr3
        self.c1.backward(gr1 * (self.r1 > 0))

    def params(self):
        ps = [p for c in (self.c1, self.c2, self.c3, self.c4) for p in c.params()]
        return ps


def train(net, x, y, epochs=40, lr=2e-3, batch=64):
    m, v, t = {}, {}, 0
    tensors = lambda: [(c, p, g) for c in (net.c1, net.c2, net.c3, net.c4) for p, g in c.params()] + \
        [(net, net.fw, 'gfw'), (net, net.fb, 'gfb')]
    for ep in range(epochs):
        order = rng.permutation(len(x))
        for s in range(0, len(x), batch):
            idx = order[s:s + batch]
            logits = net.forward(x[idx])
            p = np.exp(logits - logits.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
            p[np.arange(len(idx)), y[idx]] -= 1
            net.backward(p / len(idx))
            t += 1
            for owner, param, gname in tensors():
                g = getattr(owner, gname); key = id(param)
                m[key] = 0.9 * m.get(key, 0) + 0.1 * g
                v[key] = 0.999 * v.get(key, 0) + 0.001 * g * g
                param -= lr * (m[key] / (1 - 0.9 ** t)) / (np.sqrt(v[key] / (1 - 0.999 ** t)) + 1e-8)


def accuracy(net, x, y):
    return float((net.forward(x).argmax(1) == y).mean())


def export(net, path):
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    inits, nodes = [], []
    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, dtype=np.float32), name))
    def conv(name, c, src, bn):
        w, b = c.w, c.b
        if bn:
            cout = len(b)
            gamma = rng.uniform(0.5, 2.0, cout).astype(np.float32)
            beta = rng.uniform(-0.5, 0.5, cout).astype(np.float32)
            mean = rng.uniform(-0.5, 0.5, cout).astype(np.float32)
            var = rng.uniform(0.5, 2.0, cout).astype(np.float32)
            s = gamma / np.sqrt(var + 1e-5)
            w = w / s[:, None, None, None]; b = (b - beta) / s + mean
        init(f'{name}.weight', w); init(f'{name}.bias', b)
        out = f'{name}_out'
        nodes.append(helper.make_node('Conv', [src, f'{name}.weight', f'{name}.bias'], [out], name=name,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]))
        if bn:
            for k, a in (('scale', gamma), ('B', beta), ('mean', mean), ('var', var)):
                init(f'{name}_bn.{k}', a)
            nodes.append(helper.make_node('BatchNormalization', [out] + [f'{name}_bn.{k}' for k in ('scale', 'B', 'mean', 'var')],
                                          [f'{name}_bn'], name=f'{name}_bn', epsilon=1e-5))
            out = f'{name}_bn'
        return out
    t = conv('conv1', net.c1, 'input', True)
    nodes.append(helper.make_node('Relu', [t], ['r1'], name='relu1'))
    t = conv('conv2', net.c2, 'r1', True)
    nodes.append(helper.make_node('Relu', [t], ['r2'], name='relu2'))
    t = conv('conv3', net.c3, 'r2', True)
    nodes.append(helper.make_node('Add', [t, 'r1'], ['s3'], name='add3'))
    nodes.append(helper.make_node('Relu', ['s3'], ['r3'], name='relu3'))
    nodes.append(helper.make_node('MaxPool', ['r3'], ['p3'], name='pool3', kernel_shape=[2, 2], strides=[2, 2]))
    t = conv('conv4', net.c4, 'p3', False)
    nodes.append(helper.make_node('Relu', [t], ['r4'], name='relu4'))
    nodes.append(helper.make_node('GlobalAveragePool', ['r4'], ['gap'], name='gap'))
    nodes.append(helper.make_node('Flatten', ['gap'], ['flat'], name='flatten', axis=1))
    init('fc.weight', net.fw); init('fc.bias', net.fb)
    nodes.append(helper.make_node('Gemm', ['flat', 'fc.weight', 'fc.bias'], ['logits'], name='fc', transB=1))
    graph = helper.make_graph(nodes, 'digits-cnn',
                              [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 1, 8, 8])],
                              [helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['N', 10])], inits)
    model = helper.make_model(graph, producer_name='crossbarsim-digits', opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def splits():
    d = load_digits()
    x = (d.images / 16.0).astype(np.float32)[:, None]
    y = d.target.astype(np.int64)
    xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=0, stratify=y)
    np.savez(os.path.join(HERE, 'digits-train.npz'), x=xtr, y=ytr)
    np.savez(os.path.join(HERE, 'digits-test.npz'), x=xte, y=yte)
    np.savez(os.path.join(HERE, 'digits-calib.npz'), x=xtr[:256], y=ytr[:256])
    return xtr, xte, ytr, yte


def main():
    xtr, xte, ytr, yte = splits()
    if '--splits-only' in sys.argv:
        return
    import onnxruntime as ort
    net = Net()
    train(net, xtr, ytr)
    print(f'train top-1 {accuracy(net, xtr, ytr):.4f}, test top-1 {accuracy(net, xte, yte):.4f}')
    export(net, os.path.join(HERE, 'digits-cnn.onnx'))
    weights = {}
    for name, c in (('conv1', net.c1), ('conv2', net.c2), ('conv3', net.c3), ('conv4', net.c4)):
        weights[f'{name}.weight'] = c.w; weights[f'{name}.bias'] = c.b
    weights['fc.weight'] = net.fw; weights['fc.bias'] = net.fb
    np.savez(os.path.join(HERE, 'digits-cnn-weights.npz'), **weights)
    sess = ort.InferenceSession(os.path.join(HERE, 'digits-cnn.onnx'), providers=['CPUExecutionProvider'])
    logits = sess.run(None, {'input': xte})[0]
    np.savez(os.path.join(HERE, 'digits-reference.npz'), logits=logits.astype(np.float32))
    print(f'onnxruntime test top-1 {float((logits.argmax(1) == yte).mean()):.4f}, '
          f'max |numpy - onnxruntime| {np.abs(logits - net.forward(xte)).max():.2e}')


if __name__ == '__main__':
    main()
