"""PyTorch's ConvTranspose2d on the weights and input nnscratch used (tests/test_torch_layers.cpp).

Usage: conv_transpose.py DIR N H W C F K S PT PL HO WO
DIR holds x.bin (N, H, W, C), w.bin (K, K, F, C) in Keras's layout, b.bin (F) and
dy.bin (N, HO, WO, F), raw float32 in this machine's byte order. Writes y.bin (N, HO, WO, F),
dx.bin (N, H, W, C), dw.bin (K, K, F, C) and db.bin (F).

Keras's output is PyTorch's full transposed convolution, (H - 1)·S + K rows, with PT rows cut
from the top (and whatever passes HO from the bottom; zero rows added at the bottom when the
window is smaller than the stride and "valid" asks for H·S rows). The same for columns.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def load(d, name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=np.float32).reshape(shape).copy())


def main():
    d = sys.argv[1]
    n, h, w, c, f, k, s, pt, pl, ho, wo = (int(a) for a in sys.argv[2:13])
    x = load(d, "x.bin", (n, h, w, c)).double().permute(0, 3, 1, 2).contiguous().requires_grad_()
    # Keras (K, K, F, C) -> PyTorch's ConvTranspose2d weight (in = C, out = F, K, K)
    weight = load(d, "w.bin", (k, k, f, c)).double().permute(3, 2, 0, 1).contiguous().requires_grad_()
    bias = load(d, "b.bin", (f,)).double().requires_grad_()
    dy = load(d, "dy.bin", (n, ho, wo, f)).double().permute(0, 3, 1, 2)
    full = F.conv_transpose2d(x, weight, stride=s)  # (N, F, (H-1)·S + K, (W-1)·S + K)
    fh, fw = full.shape[2], full.shape[3]
    # Negative padding crops: PT rows off the top, the rest beyond HO off the bottom.
    y = F.pad(full, (-pl, wo - (fw - pl), -pt, ho - (fh - pt))) + bias.view(1, f, 1, 1)
    assert y.shape == (n, f, ho, wo), y.shape
    y.backward(dy)

    def save(name, t):
        t.detach().float().numpy().astype(np.float32).tofile(os.path.join(d, name))

    save("y.bin", y.permute(0, 2, 3, 1))
    save("dx.bin", x.grad.permute(0, 2, 3, 1))
    save("dw.bin", weight.grad.permute(2, 3, 1, 0))
    save("db.bin", bias.grad)
    print("torch", torch.__version__, "ConvTranspose2d: x", tuple(x.shape), "-> y", tuple(y.shape))


if __name__ == "__main__":
    main()
