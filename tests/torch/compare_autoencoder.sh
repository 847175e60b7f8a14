#!/usr/bin/env bash
# Tutorial 11's autoencoder against the same network trained the same way in PyTorch
# (tests/torch/autoencoder.py), for EPOCHS epochs (default 1) on Fashion-MNIST: prints both
# test reconstruction losses and passes when nnscratch's is at most 3% above PyTorch's
# (issue 16's bound). Not part of make test: PyTorch takes many minutes per epoch on 2 cores.
# Needs build/tutorials/11_autoencoder (make tutorials), Debian's python3-torch, and the data
# (make data NAME=fashion-mnist).
set -euo pipefail
epochs=${1:-1}
ours=$(NN_TUTORIAL_DATA=fashion-mnist build/tutorials/11_autoencoder --epochs "$epochs" | tail -n 1)
echo "nnscratch: $ours"
theirs=$(/usr/bin/python3 tests/torch/autoencoder.py "$epochs" | tail -n 1)
echo "PyTorch:   $theirs"
awk -v a="${ours##* }" -v b="${theirs##* }" 'BEGIN {
  printf "nnscratch / PyTorch = %.4f (bound: at most 1.03)\n", a / b; exit !(a / b <= 1.03) }'
