#!/usr/bin/python3
"""examples/fashion_mnist.cpp in PyTorch: the same CNN, the same initial weights, the same
batches in the same order, the same hyper-parameters; prints the test accuracy and the wall
time, to compare with ctnn's (docs/performance.md, "Fashion-MNIST").

    build/release/examples/fashion_mnist --save-init /tmp/fashion_init.safetensors
    taskset -c 1 /usr/bin/python3 examples/fashion_mnist.py --init /tmp/fashion_init.safetensors

--init loads the file ctnn wrote (strict load_state_dict); without it the weights are
PyTorch's own default initialisation, seeded. Every other option has the C++ program's name
and default (--help). Needs Debian's python3-torch and dataset-fashion-mnist.
"""

import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

try:  # the safetensors package, if installed; else ctnn's stand-in with the same functions
    from safetensors.torch import load_file
except ImportError:
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    from safetensors_torch import load_file

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # of the training images' pixels in [0, 1], as fashion_mnist.cpp


def make_model():
    """The CNN of fashion_mnist.cpp; its state_dict names are ctnn's ("0.weight", "1.running_mean")."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def read_idx(path):
    """A gzipped IDX file (the format of MNIST's files) as a numpy uint8 array."""
    if not os.path.exists(path):
        sys.exit("%s: no such file; install Debian's dataset-fashion-mnist "
                 "(sudo apt-get install dataset-fashion-mnist) or give --data DIR" % path)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit("%s: not an IDX file of unsigned bytes" % path)
    dims = struct.unpack(">%dI" % ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data, split, limit):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data, prefix + "-images-idx3-ubyte.gz"))[:limit]
    labels = read_idx(os.path.join(data, prefix + "-labels-idx1-ubyte.gz"))[:limit]
    x = (torch.from_numpy(images.astype(np.float32)) / 255 - MEAN) / STD
    return x.reshape(-1, 1, 28, 28), torch.from_numpy(labels.astype(np.int64))


class SplitMix64:
    """The shuffle's random numbers, as fashion_mnist.cpp computes them (splitmix64)."""

    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)


def shuffle(order, rng):
    """Fisher-Yates, from the last element down, j = next() mod (i + 1)."""
    for i in range(len(order) - 1, 0, -1):
        j = rng.next() % (i + 1)
        order[i], order[j] = order[j], order[i]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", help="initial weights (safetensors) written by fashion_mnist --save-init")
    p.add_argument("--data", default=DATA, help="directory of the gzipped IDX files (%(default)s)")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=3e-3, help="Adam's initial lr, cosine-annealed to 0 per batch")
    p.add_argument("--seed", type=int, default=1, help="of the shuffle (and of the init without --init)")
    p.add_argument("--train-subset", type=int, default=60000, help="train on the first N images")
    p.add_argument("--test-subset", type=int, default=10000, help="test on the first N images")
    p.add_argument("--time-budget", type=float, default=0, help="stop training after S seconds (0: no limit)")
    p.add_argument("--min-accuracy", type=float, default=90, help="exit status 1 below this test accuracy (%%)")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (%(default)s)")
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = load(args.data, "train", args.train_subset)
    x_test, y_test = load(args.data, "test", args.test_subset)

    net = make_model()  # PyTorch's default initialisation, seeded
    if args.init:
        net.load_state_dict(load_file(args.init), strict=True)  # raises on any mismatch

    batch = 64
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr)
    steps_per_epoch = len(x_train) // batch  # a last partial batch is dropped
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs * steps_per_epoch)
    rng = SplitMix64(args.seed)
    order = list(range(len(x_train)))
    start = time.perf_counter()
    cpu_start = time.process_time()  # CPU time too: on a busy machine, wall time is not ours alone
    out_of_time = False
    for epoch in range(args.epochs):
        shuffle(order, rng)
        net.train()
        epoch_start = time.perf_counter()
        seen, loss_sum, right = 0, 0.0, 0
        for first in range(0, steps_per_epoch * batch, batch):
            idx = torch.tensor(order[first:first + batch])
            xb, yb = x_train[idx], y_train[idx]
            optimizer.zero_grad()
            logits = net(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            seen += batch
            loss_sum += loss.item() * batch
            right += (logits.argmax(1) == yb).sum().item()
            if args.time_budget and time.perf_counter() - start >= args.time_budget:
                out_of_time = True
                break
        took = time.perf_counter() - epoch_start
        print("epoch %d/%d: %d samples, %.0f samples/s, loss %.4f, train accuracy %.2f%%"
              % (epoch + 1, args.epochs, seen, seen / took, loss_sum / max(seen, 1), 100 * right / max(seen, 1)),
              file=sys.stderr)
        if out_of_time:
            print("time budget of %g s reached" % args.time_budget, file=sys.stderr)
            break
    train_seconds = time.perf_counter() - start
    train_cpu = time.process_time() - cpu_start

    net.eval()
    with torch.no_grad():
        right = sum((net(x_test[i:i + 500]).argmax(1) == y_test[i:i + 500]).sum().item()
                    for i in range(0, len(x_test), 500))
    accuracy = 100 * right / len(x_test)
    total = time.perf_counter() - start
    ok = accuracy >= args.min_accuracy
    print("PyTorch %s: test accuracy %.2f%% on %d images (target >= %g%%): %s; training %.1f s (CPU %.1f s), "
          "with the test %.1f s (%d thread%s)" % (torch.__version__, accuracy, len(x_test), args.min_accuracy,
                                                  "ok" if ok else "FAILED", train_seconds, train_cpu, total,
                                                  args.threads, "" if args.threads == 1 else "s"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
