#!/usr/bin/python3
"""Independent check of an xbar-mlp file: its test accuracy with numpy alone.

    mlp_accuracy.py MODEL IMAGES.gz LABELS.gz   -> prints the accuracy (fraction)
"""
import gzip
import sys

import numpy as np

model, images, labels = sys.argv[1:4]
x = np.frombuffer(gzip.open(images).read(), np.uint8, offset=16).reshape(-1, 784) / np.float32(255)
y = np.frombuffer(gzip.open(labels).read(), np.uint8, offset=8)
lines = open(model).read().split("\n")
assert lines[0] == "xbar-mlp 1"
a, k = x.astype(np.float32), 1
while lines[k] != "end":
    _, n_in, n_out, act = lines[k].split()
    n_in, n_out = int(n_in), int(n_out)
    w = np.array([l.split(",") for l in lines[k + 1:k + 1 + n_out]], np.float32)
    b = np.array(lines[k + 1 + n_out].split(","), np.float32)
    a = a @ w.T + b
    if act == "relu":
        a = np.maximum(a, 0)
    k += n_out + 2
print(f"{np.mean(np.argmax(a, axis=1) == y):.6f}")
