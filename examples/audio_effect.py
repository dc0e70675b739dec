"""Trains a small GRU in PyTorch to imitate a nonlinear audio effect, for examples/audio_effect.cpp.

The effect (defined here, and the same formula in examples/audio_effect.hpp for the C++
examples), per sample at 48 kHz:
    u = one-pole low-pass of x at 3 kHz          (a tone control before the clipper)
    v = 0.7 * tanh(4 * u)                        (waveshaping distortion, drive 4)
    y = one-pole low-pass of v at 8 kHz          (a cabinet-like roll-off: more memory)
The model is nn.GRU(1, 16, batch_first=True) then nn.Linear(16, 1), in a module whose children
are named "0" and "1" so that its state_dict names are those of
ctnn::Sequential<ctnn::GRU<1, 16>, ctnn::Linear<16, 1>>: "0.weight_ih_l0", ..., "1.bias".

Writes, beside this script:
    audio_effect_gru.safetensors  the trained weights (strict names, float32)
    audio_effect_test.safetensors "input": a test signal (0.2 s at 48 kHz: a chirp, a sine,
                                  a noise burst), "output": PyTorch's model output for it, from
                                  a zero state (77 KB)
Run with Debian's PyTorch (python3-torch): /usr/bin/python3 examples/audio_effect.py
It takes about a minute on one core.
"""

import math
import os
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    from safetensors.torch import save_file
except ImportError:  # Debian 12's python3-torch comes without the safetensors package
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    from safetensors_torch import save_file

RATE = 48000
HIDDEN = 16


def one_pole(cutoff_hz):
    """The coefficient a of y += a * (x - y), a one-pole low-pass at cutoff_hz."""
    return 1.0 - math.exp(-2.0 * math.pi * cutoff_hz / RATE)


A1, A2, DRIVE, LEVEL = one_pole(3000.0), one_pole(8000.0), 4.0, 0.7


def effect(x):
    """The effect on a batch of signals x (B, T), from a zero state; computed in double."""
    x = x.double()
    u = torch.zeros(x.shape[0], dtype=torch.float64)
    y = torch.zeros(x.shape[0], dtype=torch.float64)
    out = torch.empty_like(x)
    for t in range(x.shape[1]):
        u = u + A1 * (x[:, t] - u)
        v = LEVEL * torch.tanh(DRIVE * u)
        y = y + A2 * (v - y)
        out[:, t] = y
    return out.float()


def training_signals(gen, batch, length):
    """A batch of (B, T) signals: sines, log chirps and noise bursts of random level."""
    t = torch.arange(length, dtype=torch.float64) / RATE
    out = torch.empty(batch, length, dtype=torch.float64)
    for b in range(batch):
        kind = int(torch.randint(3, (1,), generator=gen))
        amp = 0.05 + 0.95 * float(torch.rand(1, generator=gen))
        if kind == 0:  # a sine of 50 Hz .. 6 kHz (log-uniform)
            f = 50.0 * (120.0 ** float(torch.rand(1, generator=gen)))
            out[b] = amp * torch.sin(2 * math.pi * f * t + 6.28 * float(torch.rand(1, generator=gen)))
        elif kind == 1:  # a log chirp between two such frequencies
            f0 = 50.0 * (120.0 ** float(torch.rand(1, generator=gen)))
            f1 = 50.0 * (120.0 ** float(torch.rand(1, generator=gen)))
            dur = length / RATE
            k = math.log(f1 / f0) / dur
            phase = 2 * math.pi * f0 * (torch.exp(k * t) - 1) / k if abs(k) > 1e-9 else 2 * math.pi * f0 * t
            out[b] = amp * torch.sin(phase)
        else:  # a noise burst: white noise gated on for a random stretch
            noise = torch.randn(length, generator=gen, dtype=torch.float64)
            on = int(torch.randint(length // 2, (1,), generator=gen))
            gate = torch.zeros(length, dtype=torch.float64)
            gate[on:on + length // 2] = 1.0
            out[b] = amp * 0.5 * noise * gate
    return out.float()


def test_signal():
    """0.2 s: a log chirp 100 Hz -> 5 kHz at 0.5, a 440 Hz sine at 0.9, a noise burst at 0.3."""
    n = RATE // 5
    third = n // 3
    t = torch.arange(third, dtype=torch.float64) / RATE
    dur = third / RATE
    k = math.log(5000.0 / 100.0) / dur
    chirp = 0.5 * torch.sin(2 * math.pi * 100.0 * (torch.exp(k * t) - 1) / k)
    sine = 0.9 * torch.sin(2 * math.pi * 440.0 * t)
    gen = torch.Generator().manual_seed(7)
    noise = 0.3 * torch.randn(n - 2 * third, generator=gen, dtype=torch.float64)
    return torch.cat([chirp, sine, noise]).float()


class Model(nn.Module):
    """nn.GRU(1, 16) then nn.Linear(16, 1), children "0" and "1" as in ctnn::Sequential."""

    def __init__(self):
        super().__init__()
        self.add_module("0", nn.GRU(1, HIDDEN, batch_first=True))
        self.add_module("1", nn.Linear(HIDDEN, 1))

    def forward(self, x):  # x (B, T, 1) -> (B, T, 1)
        h, _ = getattr(self, "0")(x)
        return getattr(self, "1")(h)


def esr(y, target):
    """Error-to-signal ratio, sum (y - target)^2 / sum target^2, the usual measure for amp models."""
    return float(((y - target) ** 2).sum() / (target ** 2).sum())


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = Model()
    steps, batch, length = 600, 32, 256
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps, eta_min=1e-4)
    start = time.time()
    for step in range(steps):
        x = training_signals(gen, batch, length)
        target = effect(x)
        y = model(x.unsqueeze(-1)).squeeze(-1)
        loss = nn.functional.mse_loss(y, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step:4d}  mse {loss.item():.3e}  esr {esr(y.detach(), target):.4f}  {time.time() - start:.1f} s")

    x = test_signal()
    target = effect(x.unsqueeze(0)).squeeze(0)
    with torch.no_grad():
        y = model(x.view(1, -1, 1)).view(-1)
    print(f"test signal: {x.numel()} samples, ESR of the model against the effect {esr(y, target):.4f}")

    state = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    print("state_dict:", ", ".join(f"{k} {tuple(v.shape)}" for k, v in state.items()))
    save_file(state, os.path.join(HERE, "audio_effect_gru.safetensors"), metadata={"format": "pt"})
    save_file({"input": x.contiguous(), "output": y.contiguous()},
              os.path.join(HERE, "audio_effect_test.safetensors"), metadata={"format": "pt"})


if __name__ == "__main__":
    main()
