#!/usr/bin/env python3
"""The same MLP training in PyTorch, for bench_mlp to compare against in the same run.

Flatten -> Linear(D, 200) -> ReLU -> Linear(200, 150) -> ReLU -> Linear(150, 10),
Glorot-uniform weights, zero biases, Adam(lr 5e-4, eps 1e-7), cross-entropy on logits,
shuffled batches. Prints one line per epoch: "epoch E: S seconds, R samples/s".

usage: torch_mlp.py cifar-shape|fashion EPOCHS THREADS [BATCH] [SAMPLES]
"""
import gzip
import sys
import time

import numpy as np
import torch


def read_idx_gz(path):
    with gzip.open(path) as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    which, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    samples = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    if which == "fashion":
        base = "/usr/share/datasets/fashion-mnist/"
        x = read_idx_gz(base + "train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
        y = read_idx_gz(base + "train-labels-idx1-ubyte.gz").astype(np.int64)
    else:
        n = samples or 50000
        x = rng.random((n, 32, 32, 3), dtype=np.float32)
        y = rng.integers(0, 10, n)
    if samples:
        x, y = x[:samples], y[:samples]
    x = torch.from_numpy(np.ascontiguousarray(x)).reshape(len(x), -1)
    y = torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 200), torch.nn.ReLU(),
                                torch.nn.Linear(200, 150), torch.nn.ReLU(), torch.nn.Linear(150, 10))
    for layer in model:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-4, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(x)
    for epoch in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        print(f"epoch {epoch + 1}: {seconds:.3f} seconds, {n / seconds:.0f} samples/s", flush=True)


if __name__ == "__main__":
    main()
