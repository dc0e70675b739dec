#!/usr/bin/python3
"""Loads the files tests/interop/torch_roundtrip.cpp wrote into the same architectures in
PyTorch, with load_state_dict(strict=True), and checks that PyTorch's outputs equal ctnn's
(relative 1e-5 in float32, 1e-10 in float64). Exits 77 (ctest: skipped) without torch."""

import os
import sys

try:
    import torch
    from torch import nn
except ImportError:
    print("SKIPPED: PyTorch is not installed (Debian: python3-torch)")
    sys.exit(77)

try:
    from safetensors.torch import load_file
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
    from safetensors_torch import load_file


class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.register_buffer("scale", torch.ones(2))

    def forward(self, x):
        return self.lin(x) * self.scale


class Tensors(nn.Module):
    """generate.py's Tensors: (8,3,3,3), (16,1,5) and 0-D parameters, BatchNorm's 0-D int64
    num_batches_tracked, and a non-persistent buffer (not in the state_dict)."""

    def __init__(self):
        super().__init__()
        self.conv2d = nn.Parameter(torch.zeros(8, 3, 3, 3))
        self.conv1d = nn.Parameter(torch.zeros(16, 1, 5))
        self.temperature = nn.Parameter(torch.tensor(1.))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        self.register_buffer("hidden", torch.zeros(2, 4), persistent=False)


def check_tensors(folder):
    """tensors.safetensors: strict load_state_dict, every element the function of its index
    torch_roundtrip.cpp wrote, the dtypes and 0-D shapes PyTorch's. Returns True when all hold."""
    model = Tensors()
    state = load_file(os.path.join(folder, "tensors.safetensors"))
    model.load_state_dict(state, strict=True)  # raises on a missing, unexpected or misshapen key
    o, i, y, x = torch.meshgrid(*(torch.arange(n) for n in (8, 3, 3, 3)), indexing="ij")
    oc, _, k = torch.meshgrid(*(torch.arange(n) for n in (16, 1, 5)), indexing="ij")
    checks = {
        "conv2d": torch.equal(model.conv2d.data, (1000 * o + 100 * i + 10 * y + x).float()),
        "conv1d": torch.equal(model.conv1d.data, -(10 * oc + k).float()),
        "temperature": model.temperature.shape == () and model.temperature.item() == 0.25,
        "num_batches_tracked": state["num_batches_tracked"].dtype == torch.int64 and
                               model.num_batches_tracked.shape == () and
                               model.num_batches_tracked.item() == 2 ** 40 + 3,
        "hidden": "hidden" not in state and torch.equal(model.hidden, torch.zeros(2, 4)),
    }
    ok = all(checks.values())
    print("%-9s %s  %s" % ("tensors", "ok  " if ok else "FAIL",
                           ", ".join(k + ("" if v else " WRONG") for k, v in checks.items())))
    return ok


class GRUSeq(nn.GRU):
    """`output, _ = gru(x)`: the output sequence, as ctnn's GRU (batch_first)."""

    def forward(self, x):
        return super().forward(x)[0]


class LSTMSeq(nn.LSTM):
    def forward(self, x):
        return super().forward(x)[0]


class RNNSeq(nn.RNN):
    def forward(self, x):
        return super().forward(x)[0]


class LastStep(nn.Module):
    """`out[:, -1, :]`, ctnn::LastStep."""

    def forward(self, x):
        return x[:, -1, :]


def mlp():
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))


CASES = {
    "mlp": (mlp, torch.float32),
    "mlp64": (mlp, torch.float64),
    "mlp_f16": (mlp, torch.float32),
    "mlp_bf16": (mlp, torch.float32),
    "nested": (lambda: nn.Sequential(nn.Linear(4, 6, bias=False), nn.Sequential(nn.Linear(6, 6), nn.Tanh()),
                                     nn.Linear(6, 2)), torch.float32),
    "deep": (lambda: nn.Sequential(nn.Linear(6, 16), nn.GELU(), nn.Linear(16, 16), nn.SiLU(), nn.Linear(16, 3),
                                   nn.LogSoftmax(dim=1)), torch.float32),
    "scaled": (Scaled, torch.float32),
    # input (B, 18) viewed as PyTorch's (B, 2, 3, 3)
    "batchnorm": (lambda: nn.Sequential(nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(18, 3),
                                        nn.BatchNorm1d(3)), torch.float32, (-1, 2, 3, 3)),
    # (B, 128) viewed as (B, 2, 8, 8); BatchNorm2d's running statistics from ctnn's training forwards
    "cnn2d": (lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                    nn.ConvTranspose2d(4, 3, 2, stride=2), nn.Conv2d(3, 6, 3, stride=2, padding=1),
                                    nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(24, 3)),
              torch.float32, (-1, 2, 8, 8)),
    "cnn1d": (lambda: nn.Sequential(nn.Conv1d(2, 4, 5, stride=2, padding=2), nn.BatchNorm1d(4), nn.PReLU(4),
                                    nn.MaxPool1d(2), nn.ConvTranspose1d(4, 3, 3, stride=2), nn.GroupNorm(1, 3),
                                    nn.LayerNorm(9), nn.AvgPool1d(3), nn.Flatten(), nn.Linear(9, 2)),
              torch.float64, (-1, 2, 16)),
    # (B, T * F) viewed as (B, T, F), batch_first; the output sequence (B, T, 2) flattened as ctnn's
    "gru": (lambda: nn.Sequential(GRUSeq(3, 8, num_layers=2, bidirectional=True, batch_first=True), nn.Linear(16, 2)),
            torch.float32, (-1, 5, 3)),
    "lstm": (lambda: nn.Sequential(RNNSeq(3, 8, nonlinearity="relu", batch_first=True),
                                   LSTMSeq(8, 6, bias=False, batch_first=True), LastStep(), nn.Linear(6, 2)),
             torch.float64, (-1, 6, 3)),
}


def main(folder):
    failures = 0
    for name, (make, dtype, *shape) in CASES.items():
        model = make().to(dtype).eval()  # BatchNorm: the running statistics, as ctnn's infer
        path = os.path.join(folder, name + ".safetensors")
        # --8<-- [start:load]
        state = load_file(path)  # safetensors.torch.load_file
        result = model.load_state_dict(state, strict=True)  # raises on any mismatch
        # --8<-- [end:load]
        io = load_file(os.path.join(folder, name + ".io.safetensors"))
        with torch.no_grad():
            x = io["x"].to(dtype)
            y = model(x.reshape(shape[0]) if shape else x)
        expected = io["y"].to(dtype)
        y = y.reshape(expected.shape)  # a sequence output (B, T, F) as ctnn's (B, T * F)
        err = ((y - expected).norm() / max(expected.norm().item(), 1.0)).item()
        tol = 1e-5 if dtype == torch.float32 else 1e-10
        # the samples' outputs differ (a comparison of constants would prove little), and
        # BatchNorm's counters are int64 and counted ctnn's training forwards
        varies = (expected - expected[0]).abs().max().item() > 1e-3
        ok = err <= tol and varies and not result.missing_keys and not result.unexpected_keys and \
            all(t.dtype == torch.int64 and t.item() > 0 for k, t in state.items() if k.endswith("num_batches_tracked"))
        print("%-9s %s  dtypes %s  relative error %.3g%s" % (name, "ok  " if ok else "FAIL",
                                                             sorted({str(t.dtype) for t in state.values()}), err,
                                                             "" if varies else "  (the same output for every sample)"))
        failures += not ok
    failures += not check_tensors(folder)
    print("%d passed, %d failed" % (len(CASES) + 1 - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
