#!/usr/bin/python3
"""Writes PyTorch reference data for ctnn's tests into tests/reference/data/.

Run from the repository root with Debian's PyTorch (torch 1.13):

    /usr/bin/python3 tests/reference/generate.py            # every group
    /usr/bin/python3 tests/reference/generate.py core       # only core_cases()

File format, one file per case, `data/<case>.txt` (read by tests/support/reference.hpp):

    # ctnn reference: <case> <one-line description>
    <tensor-name> <ndim> <d0> <d1> ...
    <all values, row-major as PyTorch stores them, space separated, '%.17g'>
    ...

A 0-dim tensor (a scalar such as a loss) is `<name> 0` followed by one value.
Everything is computed in float64. Random parameters and inputs are drawn in
float32 (PyTorch's default) and then widened, so they are exactly representable
in float: a float model loaded with them has the same weights as the double
one, and only the arithmetic differs.

Tensor names for a module case: `x` (input), each parameter under its
state_dict name (`weight`, `0.bias`, `1.0.weight`, ...), `grad_out` (the
upstream gradient, randn with the output's shape), `y` (forward output),
`grad_x` (x.grad) and `grad.<state_dict name>` for each parameter gradient.

Adding a case: in a group function, call `module_case(name, description,
make_module, make_x)` or, for anything else, compute tensors and call
`write_case(name, description, [(tensor_name, tensor), ...])`. Adding a group:
write `def <group>_cases():` and list it in GROUPS.
"""

import os
import sys
import zlib

import torch
from torch import nn

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


# ---------------------------------------------------------------- writer helpers

def case_seed(name):
    """A stable per-case seed (Python's hash() is salted per process)."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def write_case(name, description, tensors):
    """Writes data/<name>.txt; tensors is a list of (tensor_name, tensor)."""
    assert name and not any(c.isspace() for c in name), name
    assert "\n" not in description, description
    seen = set()
    lines = ["# ctnn reference: %s %s" % (name, description)]
    for tensor_name, t in tensors:
        assert tensor_name and not any(c.isspace() for c in tensor_name), tensor_name
        assert tensor_name not in seen, "duplicate tensor %s in %s" % (tensor_name, name)
        seen.add(tensor_name)
        t = t.detach().to(torch.float64).contiguous()
        assert torch.isfinite(t).all(), "%s/%s has non-finite values" % (name, tensor_name)
        lines.append(" ".join([tensor_name, str(t.dim())] + [str(d) for d in t.shape]))
        lines.append(" ".join("%.17g" % v for v in t.reshape(-1).tolist()))
    os.makedirs(DATA_DIR, exist_ok=True)
    path = os.path.join(DATA_DIR, name + ".txt")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%d tensors, %d bytes)" % (os.path.relpath(path), len(tensors),
                                                os.path.getsize(path)))


def module_case(name, description, make_module, make_x, grads=True):
    """Seeds, builds make_module() (PyTorch's default init, in float32, then
    widened to float64), draws x = make_x(), runs forward and (if grads)
    backward with a randn upstream gradient, and writes the case."""
    torch.manual_seed(case_seed(name))
    module = make_module().to(torch.float64)
    x = make_x().to(torch.float64).requires_grad_(grads)
    params = list(module.state_dict(keep_vars=True).items())
    tensors = [("x", x)] + params
    if not grads:
        with torch.no_grad():
            y = module(x)
        write_case(name, description, tensors + [("y", y)])
        return
    y = module(x)
    grad_out = torch.randn(y.shape).to(torch.float64)
    y.backward(grad_out)
    tensors += [("grad_out", grad_out), ("y", y), ("grad_x", x.grad)]
    tensors += [("grad." + n, p.grad) for n, p in params]
    write_case(name, description, tensors)


# ---------------------------------------------------------------- core layers

class CenteredLayer(nn.Module):
    """The seed article's layer without parameters: X - X.mean() over ALL elements."""

    def forward(self, X):
        return X - X.mean()


ACTIVATIONS = [
    # (case name, module factory, description)
    ("relu", nn.ReLU, "nn.ReLU; PyTorch uses relu'(0) = 0"),
    ("leaky_relu", nn.LeakyReLU, "nn.LeakyReLU(negative_slope=0.01); PyTorch uses slope at 0"),
    ("leaky_relu_0_2", lambda: nn.LeakyReLU(0.2), "nn.LeakyReLU(negative_slope=0.2); PyTorch uses slope at 0"),
    ("sigmoid", nn.Sigmoid, "nn.Sigmoid"),
    ("tanh", nn.Tanh, "nn.Tanh"),
    ("gelu", lambda: nn.GELU(approximate="none"), "nn.GELU(approximate='none'), erf form"),
    ("gelu_tanh", lambda: nn.GELU(approximate="tanh"), "nn.GELU(approximate='tanh')"),
    ("silu", nn.SiLU, "nn.SiLU"),
    ("elu", lambda: nn.ELU(alpha=1.0), "nn.ELU(alpha=1)"),
    ("softplus", lambda: nn.Softplus(beta=1, threshold=20),
     "nn.Softplus(beta=1, threshold=20): x if x*beta > 20 (20.0 itself is not > 20)"),
    ("softmax", lambda: nn.Softmax(dim=1), "nn.Softmax(dim=1), over each sample's features"),
    ("log_softmax", lambda: nn.LogSoftmax(dim=1), "nn.LogSoftmax(dim=1), over each sample's features"),
    ("identity", nn.Identity, "nn.Identity"),
]


def activation_input():
    """(4, 6), randn*3 with exact specials: 0.0 (kinks), 20.0 and 25.0 (softplus threshold), -30.0."""
    x = torch.randn(4, 6) * 3
    x[0, 0], x[1, 1], x[2, 2], x[3, 3] = 0.0, 20.0, 25.0, -30.0
    return x


def large_input():
    """(4, 6) with magnitudes up to 1e4. Rows 1 and 3 are near +1e4 and -1e4, so
    softmax is not one-hot there, and without max-subtraction exp() overflows
    (inf/inf) or underflows (0/0)."""
    return torch.tensor([
        [-1e4, -50.0, -1.0, 0.5, 1e4, 3e3],
        [1e4, 9999.0, 9998.5, -0.5, 1e4, 9999.5],
        [3e3, -1e4, 0.5, 1e4, -1.0, -50.0],
        [-1e4, -9999.0, -9998.5, -9998.0, -1e4, -9999.5],
    ])


def core_cases():
    module_case("linear", "nn.Linear(5, 3) on x (4, 5)",
                lambda: nn.Linear(5, 3), lambda: torch.randn(4, 5))
    module_case("linear_nobias", "nn.Linear(5, 3, bias=False) on x (4, 5)",
                lambda: nn.Linear(5, 3, bias=False), lambda: torch.randn(4, 5))

    for act, make, desc in ACTIVATIONS:
        module_case(act, desc + " on x (4, 6) = randn*3 with x[0,0]=0, x[1,1]=20, x[2,2]=25, x[3,3]=-30",
                    make, activation_input)
        module_case(act + "_large", desc + " on x (4, 6) with magnitudes up to 1e4",
                    make, large_input)

    module_case("centered", "CenteredLayer (X - X.mean(), mean over all elements) on x (4, 6)",
                CenteredLayer, lambda: torch.randn(4, 6))
    module_case("seq_linear_centered",
                "nn.Sequential(nn.Linear(8, 128), CenteredLayer()) on torch.rand(4, 8)",
                lambda: nn.Sequential(nn.Linear(8, 128), CenteredLayer()),
                lambda: torch.rand(4, 8))
    module_case("deep_mlp",
                "nn.Sequential(Linear(6,16), ReLU, Linear(16,16), Tanh, Linear(16,8), GELU, "
                "Linear(8,3), LogSoftmax(dim=1)) on x (5, 6)",
                lambda: nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(),
                                      nn.Linear(16, 8), nn.GELU(), nn.Linear(8, 3),
                                      nn.LogSoftmax(dim=1)),
                lambda: torch.randn(5, 6))
    module_case("nested",
                "nn.Sequential(Linear(4,6), nn.Sequential(Linear(6,6), ReLU), Linear(6,2)) on x (4, 4)",
                lambda: nn.Sequential(nn.Linear(4, 6), nn.Sequential(nn.Linear(6, 6), nn.ReLU()),
                                      nn.Linear(6, 2)),
                lambda: torch.randn(4, 4))
    module_case("seed_linear_100_50", "nn.Linear(100, 50) on torch.rand(140, 100); forward only",
                lambda: nn.Linear(100, 50), lambda: torch.rand(140, 100), grads=False)


# ---------------------------------------------------------------- main

GROUPS = {
    "core": core_cases,
}


def main(argv):
    torch.set_default_dtype(torch.float32)
    names = argv[1:] or list(GROUPS)
    unknown = [n for n in names if n not in GROUPS]
    if unknown:
        sys.exit("unknown group(s) %s; known: %s" % (", ".join(unknown), ", ".join(GROUPS)))
    for n in names:
        GROUPS[n]()


if __name__ == "__main__":
    main(sys.argv)
