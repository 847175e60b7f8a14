#!/usr/bin/env python3
"""Tutorial 11's autoencoder trained in PyTorch the same way, to compare reconstruction losses.

The network, its initialisation and its training are Keras's (as nnscratch follows them), so
the two runs differ only in their random numbers:
  encoder  Conv2D 32/64/128 (3x3, stride 2, "same", relu) -> Flatten -> Dense 2
  decoder  Dense 2048 -> Reshape (4, 4, 128) -> Conv2DTranspose 128/64/32 (3x3, stride 2,
           "same", relu) -> Conv2D 1 (3x3, "same") with a sigmoid
  Glorot-uniform kernels, zero biases; binary cross-entropy (from the logits, as Keras does
  for a sigmoid output); Adam(0.001, epsilon 1e-7); batch 100, shuffled every epoch.
Keras's "same" with stride 2 pads 32 -> 16 with the one extra row and column at the bottom
and right (PyTorch's padding=1 would put one on each side, shifting every window), and its
Conv2DTranspose keeps the first 2·H rows of the full transposed convolution. Both are spelled
out below.

usage: autoencoder.py EPOCHS [SEED]     (reads Fashion-MNIST from datasets/fashion-mnist/
       or /usr/share/datasets/fashion-mnist/; prints "test reconstruction loss X" last)
"""
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(name):
    for folder in ("datasets/fashion-mnist", "/usr/share/datasets/fashion-mnist"):
        for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
            if os.path.exists(path):
                raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
                ndim = raw[3]
                dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
                return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)
    sys.exit(f"autoencoder.py: {name} not found (make data NAME=fashion-mnist)")


def images_32(name):
    """(N, 28, 28) bytes -> (N, 1, 32, 32) floats in 0..1 with a 2-pixel black border."""
    x = read_idx(name).astype(np.float32) / 255.0
    return torch.from_numpy(np.pad(x, ((0, 0), (2, 2), (2, 2)))[:, None, :, :].copy())


class SameConv(nn.Conv2d):
    """Keras's Conv2D(padding="same"): the odd padding row/column goes at the bottom/right."""

    def forward(self, x):
        k, s = self.kernel_size[0], self.stride[0]
        h = x.shape[2]
        out = -(-h // s)
        total = max((out - 1) * s + k - h, 0)
        return super().forward(F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2)))


class SameConvTranspose(nn.ConvTranspose2d):
    """Keras's Conv2DTranspose(padding="same"): the first H·s rows and columns of the full output."""

    def forward(self, x):
        h, w = x.shape[2] * self.stride[0], x.shape[3] * self.stride[1]
        full = super().forward(x)
        k, s = self.kernel_size[0], self.stride[0]
        top = max(k - s, 0) // 2
        return full[:, :, top:top + h, top:top + w]


def glorot(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.xavier_uniform_(module.weight)
        nn.init.zeros_(module.bias)


def autoencoder():
    encoder = nn.Sequential(
        SameConv(1, 32, 3, stride=2), nn.ReLU(),
        SameConv(32, 64, 3, stride=2), nn.ReLU(),
        SameConv(64, 128, 3, stride=2), nn.ReLU(),
        nn.Flatten(), nn.Linear(2048, 2))
    decoder = nn.Sequential(
        nn.Linear(2, 2048), nn.Unflatten(1, (128, 4, 4)),
        SameConvTranspose(128, 128, 3, stride=2), nn.ReLU(),
        SameConvTranspose(128, 64, 3, stride=2), nn.ReLU(),
        SameConvTranspose(64, 32, 3, stride=2), nn.ReLU(),
        SameConv(32, 1, 3, stride=1))  # logits; the sigmoid is inside the loss
    model = nn.Sequential(encoder, decoder)
    model.apply(glorot)
    return model


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 42
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 1)
    x_train, x_test = images_32("train-images-idx3-ubyte"), images_32("t10k-images-idx3-ubyte")
    model = autoencoder()
    print("torch", torch.__version__, "parameters", sum(p.numel() for p in model.parameters()))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    for epoch in range(epochs):
        start, total, order = time.time(), 0.0, torch.randperm(len(x_train))
        for i in range(0, len(x_train), 100):
            batch = x_train[order[i:i + 100]]
            loss = F.binary_cross_entropy_with_logits(model(batch), batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}: loss {total / len(x_train):.4f} ({time.time() - start:.0f} s)", flush=True)
    with torch.no_grad():
        test = sum(F.binary_cross_entropy_with_logits(model(x_test[i:i + 100]), x_test[i:i + 100]).item()
                   * len(x_test[i:i + 100]) for i in range(0, len(x_test), 100)) / len(x_test)
    print(f"test reconstruction loss {test:.4f}")


if __name__ == "__main__":
    main()
