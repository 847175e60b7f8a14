"""PyTorch's version of nnscratch's Reshape, UpSampling2D, Add, Concatenate and Sampling, on
the inputs nnscratch used (tests/test_torch_layers.cpp).

Usage: layers.py LAYER DIR...     LAYER: reshape, upsampling2d, add, concatenate or sampling

Each DIR is one case. It holds shapes.txt (line i: the dims of input i, batch first),
x0.bin, x1.bin, ... (the inputs), dy.bin (the upstream gradient, of y's shape), args.txt (the
layer's options, below) and, for sampling, eps.bin (the ε nnscratch drew, of μ's shape); raw
float32 in this machine's byte order, row-major in nnscratch's (Keras's) channels-last layout.
Writes y.bin, dx0.bin, dx1.bin, ... and loss.bin (the layer's added loss; 0 for all but
sampling), computed in float64, the gradients by autograd of Σ y·dy + loss.

args.txt:  reshape       the target shape without the batch (a -1 is left to torch to infer)
           upsampling2d  the factors for rows and columns
           add           nothing
           concatenate   the axis, counted as Keras and torch.cat do (the batch is axis 0)
           sampling      kl_weight
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F


def load(d, name, shape):
    return torch.from_numpy(np.fromfile(os.path.join(d, name), dtype=np.float32).reshape(shape).copy()).double()


def reshape(xs, args, d):
    # Both libraries are row-major, so no permute: the same numbers in the same order.
    (x,) = xs
    return x.reshape(x.shape[0], *(int(a) for a in args))


def upsampling2d(xs, args, d):
    (x,) = xs  # (N, H, W, C); interpolate wants (N, C, H, W)
    rows, cols = (int(a) for a in args)
    y = F.interpolate(x.permute(0, 3, 1, 2), scale_factor=(rows, cols), mode="nearest")
    return y.permute(0, 2, 3, 1)


def add(xs, args, d):
    return torch.stack(xs).sum(0)


def concatenate(xs, args, d):
    return torch.cat(xs, dim=int(args[0]))


def sampling(xs, args, d):
    mu, log_var = xs  # (N, D) each
    eps = load(d, "eps.bin", mu.shape)
    z = mu + torch.exp(0.5 * log_var) * eps
    kl = -0.5 * (1 + log_var - mu**2 - torch.exp(log_var))
    return z, float(args[0]) * kl.sum(1).mean()


LAYERS = {"reshape": reshape, "upsampling2d": upsampling2d, "add": add, "concatenate": concatenate,
          "sampling": sampling}


def main():
    layer = LAYERS[sys.argv[1]]
    for d in sys.argv[2:]:
        with open(os.path.join(d, "shapes.txt")) as f:
            shapes = [tuple(int(v) for v in line.split()) for line in f if line.strip()]
        with open(os.path.join(d, "args.txt")) as f:
            args = f.read().split()
        xs = [load(d, "x%d.bin" % i, s).requires_grad_() for i, s in enumerate(shapes)]
        out = layer(xs, args, d)
        y, loss = out if isinstance(out, tuple) else (out, torch.zeros((), dtype=torch.float64))
        dy = load(d, "dy.bin", y.shape)
        ((y * dy).sum() + loss).backward()

        def save(name, t):
            t.detach().contiguous().numpy().astype(np.float32).tofile(os.path.join(d, name))

        save("y.bin", y)
        for i, x in enumerate(xs):
            save("dx%d.bin" % i, x.grad)
        save("loss.bin", loss.reshape(1))
        print("torch", torch.__version__, sys.argv[1], [tuple(x.shape) for x in xs], "->", tuple(y.shape), args)


if __name__ == "__main__":
    main()
