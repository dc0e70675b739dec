#!/usr/bin/python3
"""Trains a small network in PyTorch and writes what examples/embedded/ compiles in:

  tiny_net.safetensors   model.state_dict(), as safetensors.torch.save_file writes it
  pytorch_outputs.hpp    inputs and PyTorch's float32 outputs for them, so the C++ program
                         can check that it computes what PyTorch computes (within 1e-6)

The network learns z = sin(2x) * cos(y) on [-1, 1]^2. Run from the repository root:

    /usr/bin/python3 examples/embedded/train.py

The outputs are committed; the build turns tiny_net.safetensors into a C++ header with
ctnn-embed (examples/embedded/CMakeLists.txt).
"""

import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))

try:  # the safetensors package, if installed; else ctnn's stand-in with the same functions
    from safetensors.torch import save_file
except ImportError:
    sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
    from safetensors_torch import save_file

os.chdir(HERE)  # the files are written beside this script

# --8<-- [start:train]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))
x = torch.rand(512, 2) * 2 - 1
z = (torch.sin(2 * x[:, :1]) * torch.cos(x[:, 1:]))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(1500):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), z)
    loss.backward()
    optimizer.step()
save_file(model.state_dict(), "tiny_net.safetensors", metadata={"format": "pt"})
# --8<-- [end:train]
print("final training loss %.3g" % loss.item())

# Inputs on a grid, and what the trained model (float32, as it will run in C++) outputs.
grid = torch.linspace(-1, 1, 7)
inputs = torch.cartesian_prod(grid, grid)
with torch.no_grad():
    outputs = model(inputs)
lines = ["// Written by train.py: inputs and PyTorch's float32 outputs of the trained tiny_net.",
         "#pragma once", "", "namespace pytorch {",
         "inline constexpr int count = %d;" % len(inputs),
         "inline constexpr float inputs[count][2] = {"]
lines += ["    {%s, %s}," % (float(a).hex(), float(b).hex()) for a, b in inputs.tolist()]
lines += ["};", "inline constexpr float outputs[count] = {"]
lines += ["    %s," % float(v).hex() for v in outputs.reshape(-1).tolist()]
lines += ["};", "}  // namespace pytorch", ""]
with open("pytorch_outputs.hpp", "w", encoding="ascii", newline="\n") as f:
    f.write("\n".join(lines))
print("wrote tiny_net.safetensors and pytorch_outputs.hpp")
