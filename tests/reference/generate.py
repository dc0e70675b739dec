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


# ---------------------------------------------------------------- losses

def loss_case(name, description, make_loss, make_input, make_target, reductions=("mean", "sum", "none")):
    """Writes a loss's value and input gradient for each reduction. Tensors: `input`
    (B, C) as PyTorch takes it, `target`, then per reduction r: `value.r` (0-dim, or
    (B,) / (B, C) for 'none'), `grad.r` (d value / d input; for 'none' the gradient of
    sum(grad_out.none * value.none), grad_out.none being randn)."""
    torch.manual_seed(case_seed(name))
    x = make_input().to(torch.float64)
    target = make_target(x)
    if target.is_floating_point():
        target = target.to(torch.float64)
    tensors = [("input", x), ("target", target)]
    for r in reductions:
        xi = x.clone().requires_grad_(True)
        value = make_loss(r)(xi, target)
        if r == "none":
            grad_out = torch.randn(value.shape).to(torch.float64)
            value.backward(grad_out)
            tensors += [("value.none", value), ("grad_out.none", grad_out), ("grad.none", xi.grad)]
        else:
            value.backward()
            tensors += [("value." + r, value), ("grad." + r, xi.grad)]
    write_case(name, description, tensors)


def with_ties(x, y):
    """y with a few elements equal to x (the kink of L1 and friends) and a few at |x - y| = 1."""
    y = y.clone()
    y[0, 0] = x[0, 0]
    y[1, 2] = x[1, 2]
    y[2, 1] = x[2, 1] + 1.0
    y[3, 3] = x[3, 3] - 0.5
    return y


def loss_cases():
    randn = lambda: torch.randn(4, 6) * 2
    near = lambda x: with_ties(x, (x + torch.randn(x.shape).to(torch.float64) * 1.5).to(torch.float32).to(torch.float64))
    loss_case("loss_mse", "nn.MSELoss on input (4, 6) and target (4, 6)",
              lambda r: nn.MSELoss(reduction=r), randn, near)
    loss_case("loss_l1", "nn.L1Loss; target equals input at (0,0) and (1,2): gradient 0 there",
              lambda r: nn.L1Loss(reduction=r), randn, near)
    loss_case("loss_huber", "nn.HuberLoss(delta=1); |d| = 1 at (2,1)",
              lambda r: nn.HuberLoss(reduction=r), randn, near)
    loss_case("loss_huber_0_5", "nn.HuberLoss(delta=0.5); |d| = 0.5 at (3,3)",
              lambda r: nn.HuberLoss(reduction=r, delta=0.5), randn, near)
    loss_case("loss_smooth_l1", "nn.SmoothL1Loss(beta=1)",
              lambda r: nn.SmoothL1Loss(reduction=r), randn, near)
    loss_case("loss_smooth_l1_0_5", "nn.SmoothL1Loss(beta=0.5)",
              lambda r: nn.SmoothL1Loss(reduction=r, beta=0.5), randn, near)
    loss_case("loss_smooth_l1_0", "nn.SmoothL1Loss(beta=0), which is L1Loss",
              lambda r: nn.SmoothL1Loss(reduction=r, beta=0.0), randn, near)

    def probabilities():
        p = torch.rand(4, 6) * 0.98 + 0.01
        p[0, 0], p[1, 1] = 0.0, 1.0  # exact ends: the logs are clamped to -100
        return p

    def binary_targets(x):
        y = torch.rand(x.shape).to(torch.float64)
        y[0, 0], y[1, 1] = 0.0, 1.0
        y[2] = (y[2] > 0.5).to(torch.float64)
        return y.to(torch.float32).to(torch.float64)

    loss_case("loss_bce", "nn.BCELoss on probabilities (4, 6) with exact 0 and 1 (targets 0 and 1 there), soft targets",
              lambda r: nn.BCELoss(reduction=r), probabilities, binary_targets)
    loss_case("loss_bce_with_logits", "nn.BCEWithLogitsLoss on logits randn*3 (4, 6), soft targets",
              lambda r: nn.BCEWithLogitsLoss(reduction=r), lambda: torch.randn(4, 6) * 3, binary_targets)
    loss_case("loss_bce_with_logits_large", "nn.BCEWithLogitsLoss on logits of magnitude up to 1e4",
              lambda r: nn.BCEWithLogitsLoss(reduction=r), large_input, binary_targets)
    # per-feature weights (the C++ test uses the same six values of each)
    fw = torch.tensor([0.5, 2.0, 1.0, 1.5, 0.25, 3.0], dtype=torch.float64)
    pw = torch.tensor([1.0, 3.0, 0.5, 2.0, 1.5, 0.75], dtype=torch.float64)
    loss_case("loss_bce_weight", "nn.BCELoss(weight=[0.5, 2, 1, 1.5, 0.25, 3]) on probabilities (4, 6)",
              lambda r: nn.BCELoss(weight=fw, reduction=r), probabilities, binary_targets)
    loss_case("loss_bce_with_logits_weight",
              "nn.BCEWithLogitsLoss(weight=[0.5, 2, 1, 1.5, 0.25, 3], pos_weight=[1, 3, 0.5, 2, 1.5, 0.75]) on logits randn*3",
              lambda r: nn.BCEWithLogitsLoss(weight=fw, pos_weight=pw, reduction=r), lambda: torch.randn(4, 6) * 3,
              binary_targets)
    loss_case("loss_bce_with_logits_pos_weight_large",
              "nn.BCEWithLogitsLoss(pos_weight=[1, 3, 0.5, 2, 1.5, 0.75]) on logits of magnitude up to 1e4",
              lambda r: nn.BCEWithLogitsLoss(pos_weight=pw, reduction=r), large_input, binary_targets)

    classes = lambda x: torch.randint(0, x.shape[1], (x.shape[0],))
    logits = lambda: torch.randn(5, 4) * 2
    loss_case("loss_cross_entropy", "nn.CrossEntropyLoss on logits (5, 4), class targets (5,)",
              lambda r: nn.CrossEntropyLoss(reduction=r), logits, classes)
    loss_case("loss_cross_entropy_smoothing", "nn.CrossEntropyLoss(label_smoothing=0.1)",
              lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1), logits, classes)

    def some_ignored(x):
        t = classes(x)
        t[1] = -100
        t[3] = -100
        return t

    loss_case("loss_cross_entropy_ignore", "nn.CrossEntropyLoss(label_smoothing=0.2), samples 1 and 3 ignored (-100)",
              lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.2), logits, some_ignored)
    loss_case("loss_cross_entropy_large", "nn.CrossEntropyLoss(label_smoothing=0.1) on logits of magnitude up to 1e4 (4, 6)",
              lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1), large_input, classes)
    loss_case("loss_cross_entropy_probs", "nn.CrossEntropyLoss(label_smoothing=0.1) with class probabilities (5, 4)",
              lambda r: nn.CrossEntropyLoss(reduction=r, label_smoothing=0.1), logits,
              lambda x: torch.softmax(torch.randn(x.shape), dim=1).to(torch.float64))
    loss_case("loss_nll", "nn.NLLLoss on log_softmax of logits (5, 4), sample 2 ignored (-100)",
              lambda r: nn.NLLLoss(reduction=r), lambda: torch.log_softmax(torch.randn(5, 4) * 2, dim=1),
              lambda x: torch.tensor([1, 3, -100, 0, 2]))

    # class weights (the C++ test uses the same four values)
    w = torch.tensor([0.5, 2.0, 1.0, 1.5], dtype=torch.float64)
    loss_case("loss_cross_entropy_weight",
              "nn.CrossEntropyLoss(weight=[0.5, 2, 1, 1.5], label_smoothing=0.1), samples 1 and 3 ignored",
              lambda r: nn.CrossEntropyLoss(weight=w, reduction=r, label_smoothing=0.1), logits, some_ignored)
    loss_case("loss_cross_entropy_probs_weight",
              "nn.CrossEntropyLoss(weight=[0.5, 2, 1, 1.5], label_smoothing=0.1) with class probabilities (5, 4)",
              lambda r: nn.CrossEntropyLoss(weight=w, reduction=r, label_smoothing=0.1), logits,
              lambda x: torch.softmax(torch.randn(x.shape), dim=1).to(torch.float64))
    loss_case("loss_nll_weight", "nn.NLLLoss(weight=[0.5, 2, 1, 1.5]) on log_softmax of logits (5, 4), sample 2 ignored",
              lambda r: nn.NLLLoss(weight=w, reduction=r), lambda: torch.log_softmax(torch.randn(5, 4) * 2, dim=1),
              lambda x: torch.tensor([1, 3, -100, 0, 2]))


# ---------------------------------------------------------------- optimizers

class MyLayer(nn.Module):
    """Seed 002's layer: y = (x^2 + bias) @ weight, weight (In, Out), bias (In)."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(in_features, out_features) * 2 - 1)
        self.bias = nn.Parameter(torch.randn(in_features) * 0.5)

    def forward(self, x):
        return torch.matmul(torch.pow(x, 2) + self.bias, self.weight)


class MyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.mylayer1 = MyLayer(5, 3)

    def forward(self, x):
        return self.mylayer1(x)


def trajectory_case(name, description, make_model, make_x, make_target, loss_fn, make_opt, steps,
                    freeze=(), make_scheduler=None, eval_after=False):
    """Trains make_model() for `steps` steps as the seed's loop does (forward, loss,
    zero_grad, backward, step) and writes: `x`, `target`, `init.<name>` for every
    state_dict entry, `losses` (the loss before each step), `lrs` (the lr used at each
    step), `final.<name>`, the optimizer's state as `state.<i>.<key>` (i the index in
    model.parameters()) and `param_groups.0.lr`. Parameters named in `freeze` get
    requires_grad=False before the optimizer is built. With eval_after, also `eval_y`: the
    trained model's output on x in eval mode (running statistics instead of the batch's)."""
    torch.manual_seed(case_seed(name))
    model = make_model().to(torch.float64)
    x = make_x().to(torch.float64)
    target = make_target()
    if target.is_floating_point():
        target = target.to(torch.float64)
    for n, p in model.named_parameters():
        if n in freeze:
            p.requires_grad_(False)
    tensors = [("x", x), ("target", target)]
    tensors += [("init." + n, p.clone()) for n, p in model.state_dict().items()]  # before training changes them
    opt = make_opt(model.parameters())
    scheduler = make_scheduler(opt) if make_scheduler else None
    losses, lrs = [], []
    for _ in range(steps):
        loss = loss_fn(model(x), target)
        losses.append(loss.item())
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if scheduler:
            scheduler.step()
    tensors += [("losses", torch.tensor(losses, dtype=torch.float64)),
                ("lrs", torch.tensor(lrs, dtype=torch.float64))]
    tensors += [("final." + n, p) for n, p in model.state_dict().items()]
    sd = opt.state_dict()
    for i, st in sorted(sd["state"].items()):
        for k, v in st.items():
            if v is None:
                continue
            tensors.append(("state.%d.%s" % (i, k), v if torch.is_tensor(v) else torch.tensor(float(v))))
    tensors.append(("param_groups.0.lr", torch.tensor(sd["param_groups"][0]["lr"], dtype=torch.float64)))
    if eval_after:
        model.eval()
        with torch.no_grad():
            tensors.append(("eval_y", model(x)))
    write_case(name, description, tensors)


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))


def optim_cases():
    trajectory_case("train_seed002_adam",
                    "seed 002: MyNet (weight (5, 3), bias (5)), x randn(10, 5), y randn(10, 3), "
                    "MSELoss(reduction='sum'), Adam(lr=1e-4), 10 steps",
                    MyNet, lambda: torch.randn(10, 5), lambda: torch.randn(10, 3),
                    nn.MSELoss(reduction="sum"), lambda ps: torch.optim.Adam(ps, lr=1e-4), 10)
    trajectory_case("train_mlp_sgd_nesterov",
                    "MLP Linear(4,8) Tanh Linear(8,2), MSELoss, SGD(lr=0.1, momentum=0.9, nesterov=True, "
                    "weight_decay=1e-3), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3), 8)
    trajectory_case("train_mlp_sgd_dampening_frozen",
                    "MLP, MSELoss, SGD(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-2, maximize=False), "
                    "0.bias frozen (requires_grad=False), StepLR(step_size=3, gamma=0.5), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=1e-2), 8,
                    freeze=("0.bias",), make_scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, 3, gamma=0.5))
    trajectory_case("train_mlp_adamw_amsgrad",
                    "MLP, MSELoss, AdamW(lr=1e-2, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True), 8)
    trajectory_case("train_mlp_adam_wd",
                    "MLP, L1Loss(reduction='sum'), Adam(lr=1e-2, weight_decay=1e-2, eps=1e-6), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.L1Loss(reduction="sum"),
                    lambda ps: torch.optim.Adam(ps, lr=1e-2, weight_decay=1e-2, eps=1e-6), 8)
    trajectory_case("train_mlp_adam_maximize_amsgrad",
                    "MLP, MSELoss, Adam(lr=1e-2, weight_decay=1e-2, amsgrad=True, maximize=True), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda ps: torch.optim.Adam(ps, lr=1e-2, weight_decay=1e-2, amsgrad=True, maximize=True), 8)
    trajectory_case("train_classifier_cross_entropy",
                    "Linear(2,16) ReLU Linear(16,3), CrossEntropyLoss(label_smoothing=0.05) on 12 samples "
                    "of 3 classes, Adam(lr=1e-2), CosineAnnealingLR(T_max=6), 10 steps",
                    lambda: nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3)),
                    lambda: torch.randn(12, 2), lambda: torch.randint(0, 3, (12,)),
                    nn.CrossEntropyLoss(label_smoothing=0.05), lambda ps: torch.optim.Adam(ps, lr=1e-2), 10,
                    make_scheduler=lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=6))
    trajectory_case("train_mlp_rmsprop",
                    "MLP, MSELoss, RMSprop(lr=1e-2, alpha=0.9, eps=1e-6, weight_decay=1e-3, momentum=0.5, "
                    "centered=True), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda ps: torch.optim.RMSprop(ps, lr=1e-2, alpha=0.9, eps=1e-6, weight_decay=1e-3,
                                                   momentum=0.5, centered=True), 8)
    trajectory_case("train_mlp_rmsprop_plain",
                    "MLP, MSELoss, RMSprop() defaults (lr=1e-2, alpha=0.99, not centered, no momentum), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda ps: torch.optim.RMSprop(ps), 8)
    trajectory_case("train_mlp_adagrad",
                    "MLP, HuberLoss(delta=0.5), Adagrad(lr=0.1, lr_decay=0.01, weight_decay=1e-3, "
                    "initial_accumulator_value=0.1), 8 steps",
                    mlp, lambda: torch.randn(6, 4), lambda: torch.randn(6, 2), nn.HuberLoss(delta=0.5),
                    lambda ps: torch.optim.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=1e-3,
                                                   initial_accumulator_value=0.1), 8)

    # schedulers alone: the lr after construction and after each of 15 steps
    def lrs(make):
        p = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=0.5)
        s = make(opt)
        out = [opt.param_groups[0]["lr"]]
        for _ in range(15):
            opt.step()
            s.step()
            out.append(opt.param_groups[0]["lr"])
        return torch.tensor(out, dtype=torch.float64)

    def closed_form_lrs(make):
        # step(epoch), deprecated in PyTorch: the closed form at each epoch, jumping about
        p = nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=0.5)
        s = make(opt)
        out = []
        for epoch in [3, 0, 7, 1, 12, 5, 20, 2]:
            s.step(epoch)
            out.append(opt.param_groups[0]["lr"])
        return torch.tensor(out, dtype=torch.float64)

    sched = torch.optim.lr_scheduler
    write_case("lr_schedulers", "lr of SGD(lr=0.5) after construction and 15 steps of each scheduler; "
               "closed_form.*: after step(epoch) for epochs 3 0 7 1 12 5 20 2", [
        ("step_lr", lrs(lambda o: sched.StepLR(o, step_size=3, gamma=0.5))),
        ("exponential_lr", lrs(lambda o: sched.ExponentialLR(o, gamma=0.9))),
        ("cosine_annealing_lr", lrs(lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.01))),
        ("linear_lr", lrs(lambda o: sched.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4))),
        ("linear_lr_default", lrs(lambda o: sched.LinearLR(o))),
        ("sequential_lr", lrs(lambda o: sched.SequentialLR(o, [
            sched.LinearLR(o, start_factor=0.25, total_iters=3),
            sched.CosineAnnealingLR(o, T_max=6, eta_min=0.01)], milestones=[3]))),
        ("sequential_lr_three", lrs(lambda o: sched.SequentialLR(o, [
            sched.LinearLR(o, start_factor=0.5, total_iters=2),
            sched.StepLR(o, step_size=3, gamma=0.5),
            sched.ExponentialLR(o, gamma=0.8)], milestones=[4, 9]))),
        ("chained_scheduler", lrs(lambda o: sched.ChainedScheduler([
            sched.LinearLR(o, start_factor=0.25, total_iters=3), sched.ExponentialLR(o, gamma=0.9)]))),
        # the cosine restarts (epochs 4, 10) read the base lr: PyTorch's initial_lr
        ("chained_scheduler_cosine", lrs(lambda o: sched.ChainedScheduler([
            sched.LinearLR(o, start_factor=0.5, total_iters=2), sched.CosineAnnealingLR(o, T_max=3, eta_min=0.01)]))),
        ("closed_form.step_lr", closed_form_lrs(lambda o: sched.StepLR(o, step_size=3, gamma=0.5))),
        ("closed_form.exponential_lr", closed_form_lrs(lambda o: sched.ExponentialLR(o, gamma=0.9))),
        ("closed_form.cosine_annealing_lr", closed_form_lrs(lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.01))),
        ("closed_form.linear_lr", closed_form_lrs(lambda o: sched.LinearLR(o, start_factor=0.25, total_iters=4))),
    ])

    # clip_grad_norm_: the total norm and the clipped gradients of a Linear(4, 3)
    torch.manual_seed(case_seed("clip_grad"))
    w, b = torch.randn(3, 4).to(torch.float64), torch.randn(3).to(torch.float64)
    tensors = [("grad.weight", w), ("grad.bias", b)]
    for tag, max_norm, norm_type in (("2", 1.0, 2.0), ("inf", 0.5, float("inf")), ("3", 1.5, 3.0),
                                     ("big", 100.0, 2.0)):
        pw, pb = nn.Parameter(torch.zeros_like(w)), nn.Parameter(torch.zeros_like(b))
        pw.grad, pb.grad = w.clone(), b.clone()
        total = torch.nn.utils.clip_grad_norm_([pw, pb], max_norm, norm_type)
        tensors += [("total_norm." + tag, total), ("clipped.weight." + tag, pw.grad), ("clipped.bias." + tag, pb.grad)]
    write_case("clip_grad", "clip_grad_norm_ of a Linear(4, 3)'s gradients: max_norm 1 (2-norm), 0.5 (inf-norm), "
               "1.5 (3-norm), 100 (no clipping)", tensors)


# ---------------------------------------------------------------- modules (custom layers)

PRINTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prints")


def write_print(name, module):
    """Writes prints/<name>.txt: exactly what print(module) prints (repr plus newline)."""
    os.makedirs(PRINTS_DIR, exist_ok=True)
    path = os.path.join(PRINTS_DIR, name + ".txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(repr(module) + "\n")
    print("wrote %s" % os.path.relpath(path))


def module_cases():
    """The seeds' custom layers (ctnn's versions are in examples/seed_layers.hpp), Mish for
    ctnn::Elementwise, torch.nn.init's formulas, and golden print(model) texts."""

    class MyLinear(nn.Module):
        """Seed 001's layer. The seed reads self.weight.data in forward, which detaches the
        parameters (they would get no gradient); the reference uses the parameters."""

        def __init__(self, in_units, units):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(in_units, units))
            self.bias = nn.Parameter(torch.randn(units,))

        def forward(self, X):
            return torch.relu(torch.matmul(X, self.weight) + self.bias)

    class MyLayer(nn.Module):
        """Seed 002's layer: y = (x^2 + bias) @ weight. The seed leaves weight and bias
        uninitialised (torch.Tensor); here they are randn so that the data is defined."""

        def __init__(self, in_features, out_features, bias=True):
            super().__init__()
            self.in_features = in_features
            self.out_features = out_features
            self.weight = nn.Parameter(torch.randn(in_features, out_features))
            if bias:
                self.bias = nn.Parameter(torch.randn(in_features))
            else:
                self.register_parameter('bias', None)

        def forward(self, input):
            input_ = torch.pow(input, 2)
            if self.bias is not None:
                input_ = input_ + self.bias
            return torch.matmul(input_, self.weight)

    N, D_in, D_out = 10, 5, 3

    class MyNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.mylayer1 = MyLayer(D_in, D_out)

        def forward(self, x):
            return self.mylayer1(x)

    class StatefulLinear(nn.Module):
        """Seed 000's layer: x is (in_features, B), one column per sample; y = W x + b."""

        def __init__(self, in_features, out_features):
            super().__init__()
            self.weight = nn.Parameter(torch.randn(out_features, in_features) * 0.5)
            self.bias = nn.Parameter(torch.randn(out_features))

        def forward(self, x):
            return self.weight.matmul(x) + self.bias[:, None]

    module_case("seed_mylayer", "seed 002 MyLayer(5, 3): (x^2 + bias) @ weight, weight (5, 3), bias (5); x (10, 5)",
                lambda: MyLayer(D_in, D_out), lambda: torch.randn(N, D_in))
    module_case("seed_mylayer_nobias", "seed 002 MyLayer(5, 3, bias=False): x^2 @ weight; x (10, 5)",
                lambda: MyLayer(D_in, D_out, bias=False), lambda: torch.randn(N, D_in))
    module_case("seed_mynet", "seed 002 MyNet (member mylayer1 = MyLayer(5, 3)); x (10, 5)",
                MyNet, lambda: torch.randn(N, D_in))
    module_case("seed_mylinear", "seed 001 MyLinear(5, 3): relu(X @ weight + bias), randn init; x (4, 5)",
                lambda: MyLinear(5, 3), lambda: torch.randn(4, 5))
    module_case("seed_mylinear_seq",
                "seed 001 nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)) on torch.rand(2, 64)",
                lambda: nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)), lambda: torch.rand(2, 64))
    module_case("seed_stateful_linear",
                "seed 000 layer: y = W x + b with x (5, 4) = (in_features, B), W (3, 5), b (3)",
                lambda: StatefulLinear(5, 3), lambda: torch.randn(5, 4))
    module_case("mish", "nn.Mish, x * tanh(softplus(x)) (softplus threshold 20), on activation_input()",
                nn.Mish, activation_input)
    module_case("mish_large", "nn.Mish on x (4, 6) with magnitudes up to 1e4", nn.Mish, large_input)

    # torch.nn.init: fans, gains and the bounds/stds the formulas give
    names = ["linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
    gains = [nn.init.calculate_gain(n) for n in names] + [nn.init.calculate_gain("leaky_relu", 0.2),
                                                          nn.init.calculate_gain("leaky_relu", 5 ** 0.5)]
    tensors = [("gains", torch.tensor(gains, dtype=torch.float64))]
    for rows, cols in [(128, 8), (3, 5), (1, 7)]:
        w = torch.empty(rows, cols)
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
        tag = "%dx%d" % (rows, cols)
        xu = nn.init.calculate_gain("relu") * (6.0 / (fan_in + fan_out)) ** 0.5
        xn = nn.init.calculate_gain("relu") * (2.0 / (fan_in + fan_out)) ** 0.5
        std_in = nn.init.calculate_gain("leaky_relu", 0) / fan_in ** 0.5
        std_out = nn.init.calculate_gain("relu") / fan_out ** 0.5
        linear_bound = nn.init.calculate_gain("leaky_relu", 5 ** 0.5) * (3.0 / fan_in) ** 0.5
        tensors.append(("fans." + tag, torch.tensor([fan_in, fan_out], dtype=torch.float64)))
        tensors.append(("bounds." + tag, torch.tensor([xu, xn, 3 ** 0.5 * std_in, std_in, 3 ** 0.5 * std_out, std_out,
                                                       linear_bound], dtype=torch.float64)))
    write_case("init_formulas",
               "torch.nn.init: gains for " + ",".join(names) + ",leaky_relu(0.2),leaky_relu(sqrt 5); per shape "
               "fans (fan_in, fan_out) and bounds: xavier_uniform a (gain relu), xavier_normal std (gain relu), "
               "kaiming_uniform bound and kaiming_normal std (a=0, fan_in, leaky_relu), the same for "
               "(fan_out, relu), and nn.Linear's kaiming_uniform(a=sqrt 5) bound", tensors)

    # print(model), golden texts
    write_print("seq_linear_centered", nn.Sequential(nn.Linear(8, 128), CenteredLayer()))
    write_print("mynet", MyNet())
    write_print("mylayer_nobias", MyLayer(5, 3, bias=False))
    write_print("seq_mylinear", nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)))
    write_print("seq_builtin", nn.Sequential(
        nn.Linear(6, 16), nn.ReLU(), nn.Dropout(0.25),
        nn.Sequential(nn.Linear(16, 16, bias=False), nn.Tanh(), nn.LeakyReLU(0.2)),
        nn.GELU(approximate="tanh"), nn.ELU(), nn.Softplus(), nn.Mish(), nn.Linear(16, 3), nn.LogSoftmax(dim=1)))

    class Classifier(nn.Module):
        """A custom model holding a Sequential, a Dropout and a Linear."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh())
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(8, 2)

        def forward(self, x):
            return self.head(self.drop(self.features(x)))

    write_print("classifier", Classifier())
    write_print("dropout_default", nn.Dropout())


# ---------------------------------------------------------------- io (safetensors)

def io_cases():
    """safetensors files written by PyTorch (data/io_*.safetensors) and the text reference
    of what they hold (data/io_*.txt): F32, F64, F16 and BF16 weights of small nets, a
    nested Sequential, Linear without bias, a module with a buffer, and PyTorch's own
    float -> half / bfloat16 rounding for ctnn's converters."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
    from safetensors_torch import save_file

    def save(name, state):
        path = os.path.join(DATA_DIR, name + ".safetensors")
        save_file(state, path, metadata={"format": "pt"})
        print("wrote %s (%d tensors, %d bytes)" % (os.path.relpath(path), len(state), os.path.getsize(path)))

    def mlp_case(name, dtype, description):
        # nn.Sequential(Linear(8,128), ReLU, Linear(128,1)) with weights stored as `dtype`;
        # the reference holds those weights exactly (widened) and PyTorch's float64 forward.
        torch.manual_seed(case_seed(name))
        net = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 1))
        if dtype == torch.float64:
            with torch.no_grad():
                for p in net.parameters():  # values float cannot hold exactly
                    p.copy_(p.double() + torch.randn(p.shape, dtype=torch.float64) * 1e-9)
        state = {k: v.to(dtype) for k, v in net.state_dict().items()}
        save(name, state)
        net64 = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 1)).double()
        net64.load_state_dict({k: v.double() for k, v in state.items()})
        x = torch.randn(5, 8, dtype=torch.float64)
        with torch.no_grad():
            y = net64(x)
        write_case(name, description, [("x", x)] + [(k, v) for k, v in net64.state_dict().items()] + [("y", y)])

    mlp_case("io_mlp_f32", torch.float32, "nn.Sequential(Linear(8,128), ReLU, Linear(128,1)) saved as F32")
    mlp_case("io_mlp_f64", torch.float64, "the same architecture saved as F64 (values not representable in float)")
    mlp_case("io_mlp_f16", torch.float16, "the same architecture saved as F16 (net.half())")
    mlp_case("io_mlp_bf16", torch.bfloat16, "the same architecture saved as BF16 (net.bfloat16())")

    torch.manual_seed(case_seed("io_nested"))
    nested = nn.Sequential(nn.Linear(4, 6, bias=False), nn.Sequential(nn.Linear(6, 6), nn.Tanh()), nn.Linear(6, 2))
    save("io_nested", nested.state_dict())
    x = torch.randn(3, 4)
    with torch.no_grad():
        y = nested.double()(x.double())
    write_case("io_nested", "nn.Sequential(Linear(4,6,bias=False), nn.Sequential(Linear(6,6), Tanh), Linear(6,2)) as F32",
               [("x", x)] + list(nested.state_dict().items()) + [("y", y)])

    class Scaled(nn.Module):
        """A layer with a buffer: y = lin(x) * scale, scale a registered buffer."""

        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 2)
            self.register_buffer("scale", torch.tensor([0.5, -2.0]))

        def forward(self, x):
            return self.lin(x) * self.scale

    torch.manual_seed(case_seed("io_buffer"))
    scaled = Scaled()
    save("io_buffer", scaled.state_dict())
    write_case("io_buffer", "Scaled: lin = Linear(3,2) and a buffer scale (2); state_dict as F32",
               list(scaled.state_dict().items()))

    # PyTorch's rounding of float32 to float16 and bfloat16: randoms over many scales, ties,
    # values near the largest half (65504) and in the subnormal ranges.
    torch.manual_seed(case_seed("io_half_rounding"))
    scales = torch.tensor([1e-9, 1e-7, 6e-8, 1e-5, 1e-3, 1.0, 3.0, 1e2, 1e4, 6e4, 1e6, 1e30])
    x = (torch.randn(12, 16) * scales[:, None]).reshape(-1)
    special = torch.tensor([0.0, -0.0, 1.0, -1.0, 65504.0, 65519.0, 65520.0, -65536.0, 2.0 ** -24, 2.0 ** -25,
                            1.5 * 2.0 ** -25, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -25, 1.0 + 2.0 ** -11,
                            1.0 + 3 * 2.0 ** -11, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 3.0e38, 1e-40, -1e-45],
                           dtype=torch.float32)
    x = torch.cat([x, special])
    write_case("io_half_rounding", "float32 values and PyTorch's .half() and .bfloat16() of them (widened)",
               [("x", x), ("half", x.half().to(torch.float64).nan_to_num(posinf=1e300, neginf=-1e300)),
                ("bfloat16", x.bfloat16().to(torch.float64).nan_to_num(posinf=1e300, neginf=-1e300))])


# ---------------------------------------------------------------- shapes

def shape_cases():
    """Samples of more than one dimension: Linear on the last dimension, Flatten, Unflatten,
    a Linear whose in_features comes from the shape (ctnn::Linear<any, N>; LazyLinear's
    result), Softmax over the last dimension; and their print(model) texts."""
    module_case("linear_last_dim", "nn.Linear(5, 3) on x (4, 6, 5): the last dimension of (T, F) samples",
                lambda: nn.Linear(5, 3), lambda: torch.randn(4, 6, 5))
    module_case("shapes_chain",
                "nn.Sequential(Unflatten(1, (3, 4)), Tanh, Linear(4, 2), Flatten, Linear(6, 3), "
                "Softmax(dim=1)) on x (5, 12)",
                lambda: nn.Sequential(nn.Unflatten(1, (3, 4)), nn.Tanh(), nn.Linear(4, 2), nn.Flatten(),
                                      nn.Linear(6, 3), nn.Softmax(dim=1)),
                lambda: torch.randn(5, 12))
    module_case("softmax_last_dim",
                "nn.Sequential(Linear(4, 5), LogSoftmax(dim=-1), Linear(5, 2), Softmax(dim=-1)) on x (3, 2, 4)",
                lambda: nn.Sequential(nn.Linear(4, 5), nn.LogSoftmax(dim=-1), nn.Linear(5, 2), nn.Softmax(dim=-1)),
                lambda: torch.randn(3, 2, 4))
    write_print("shapes_chain", nn.Sequential(nn.Unflatten(1, (3, 4)), nn.Tanh(), nn.Linear(4, 2), nn.Flatten(),
                                              nn.Linear(6, 3), nn.Softmax(dim=1)))
    # over the last of several dimensions PyTorch users write dim=-1, as ctnn prints it
    write_print("softmax_last_dim", nn.Sequential(nn.Linear(4, 5), nn.LogSoftmax(dim=-1), nn.Linear(5, 2),
                                                  nn.Softmax(dim=-1)))
    write_print("unflatten_one", nn.Unflatten(1, (5,)))


# ---------------------------------------------------------------- tensors of any rank

class Tensors(nn.Module):
    """Parameters and buffers of the ranks the next layers need: a Conv2d weight
    (out, in / groups, kH, kW), a Conv1d weight (out, in, k), a 0-D learnable temperature,
    BatchNorm's 0-D int64 `num_batches_tracked`, and a non-persistent buffer (state such as a
    recurrent hidden state: not in the state_dict). The same class is in
    tests/interop/torch_check.py."""

    def __init__(self):
        super().__init__()
        self.conv2d = nn.Parameter(torch.randn(8, 3, 3, 3))
        self.conv1d = nn.Parameter(torch.randn(16, 1, 5))
        self.temperature = nn.Parameter(torch.tensor(1.))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        self.register_buffer("hidden", torch.zeros(2, 4), persistent=False)


def tensors_cases():
    """io_tensors: a state_dict of rank 0, 3 and 4 tensors and an int64 0-D buffer written by
    PyTorch (data/io_tensors.safetensors, F32 and I64), its values (data/io_tensors.txt); and
    init_fans_nd: torch.nn.init's fans and bounds for N-D weights."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
    from safetensors_torch import save_file

    torch.manual_seed(case_seed("io_tensors"))
    m = Tensors()
    with torch.no_grad():
        m.temperature.copy_(torch.rand(()) + 0.5)
        m.num_batches_tracked.fill_(12345678901)  # past 32 bits
        m.hidden.normal_()
    state = m.state_dict()
    assert "hidden" not in state and state["num_batches_tracked"].dtype == torch.int64
    assert state["temperature"].shape == () and state["num_batches_tracked"].shape == ()
    path = os.path.join(DATA_DIR, "io_tensors.safetensors")
    save_file(state, path, metadata={"format": "pt"})
    print("wrote %s (%d tensors, %d bytes)" % (os.path.relpath(path), len(state), os.path.getsize(path)))
    write_case("io_tensors", "Tensors: conv2d (8,3,3,3), conv1d (16,1,5), temperature () parameters, "
               "num_batches_tracked () int64 buffer = 12345678901, non-persistent hidden (2,4) not saved",
               list(state.items()))

    tensors = []
    for shape in [(8, 3, 3, 3), (16, 1, 5)]:
        w = torch.empty(shape)
        fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
        tag = "x".join(str(d) for d in shape)
        bounds = []
        # the bounds and stds as torch.nn.init computes them (read back from its own functions
        # where it exposes them through the values it draws: max |value| <= bound)
        xu = nn.init.calculate_gain("relu") * (6.0 / (fan_in + fan_out)) ** 0.5
        xn = nn.init.calculate_gain("relu") * (2.0 / (fan_in + fan_out)) ** 0.5
        std_in = nn.init.calculate_gain("leaky_relu", 0) / fan_in ** 0.5
        std_out = nn.init.calculate_gain("relu") / fan_out ** 0.5
        conv_bound = nn.init.calculate_gain("leaky_relu", 5 ** 0.5) * (3.0 / fan_in) ** 0.5
        for fill, bound in [(lambda t: nn.init.xavier_uniform_(t, nn.init.calculate_gain("relu")), xu),
                            (lambda t: nn.init.kaiming_uniform_(t, 0.0, "fan_in", "leaky_relu"), 3 ** 0.5 * std_in),
                            (lambda t: nn.init.kaiming_uniform_(t, 0.0, "fan_out", "relu"), 3 ** 0.5 * std_out),
                            (lambda t: nn.init.kaiming_uniform_(t, 5 ** 0.5), conv_bound)]:
            fill(w)
            assert w.abs().max().item() <= bound * (1 + 1e-6), (tag, bound)
        tensors.append(("fans." + tag, torch.tensor([fan_in, fan_out], dtype=torch.float64)))
        tensors.append(("bounds." + tag, torch.tensor([xu, xn, 3 ** 0.5 * std_in, std_in, 3 ** 0.5 * std_out, std_out,
                                                       conv_bound], dtype=torch.float64)))
    write_case("init_fans_nd",
               "torch.nn.init._calculate_fan_in_and_fan_out (fan_in, fan_out) of (8,3,3,3) and (16,1,5) weights "
               "and bounds as in init_formulas: xavier_uniform a (gain relu), xavier_normal std, kaiming_uniform "
               "bound and kaiming_normal std (a=0, fan_in, leaky_relu), the same for (fan_out, relu), and "
               "nn.Conv2d's kaiming_uniform(a=sqrt 5) bound", tensors)


# ---------------------------------------------------------------- shared parameters

def d2l_shared():
    """The d2l example of seed 001: one Linear(8, 8) object at positions 2 and 4."""
    shared = nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))


def shared_cases():
    """Shared parameters (ctnn::Shared<2>): values, gradients (both uses add up), an SGD-momentum
    and an Adam trajectory (the shared weight updated once per step), and print(model)."""
    module_case("shared_d2l", "d2l: Sequential(Linear(4,8), ReLU, shared, ReLU, shared, ReLU, Linear(8,1)), "
                "shared = Linear(8,8), on torch.rand(2, 4)", d2l_shared, lambda: torch.rand(2, 4))
    trajectory_case("train_shared_sgd_momentum", "the d2l shared net, MSELoss, SGD(lr=0.05, momentum=0.9), 5 steps",
                    d2l_shared, lambda: torch.randn(6, 4), lambda: torch.randn(6, 1), nn.MSELoss(),
                    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), 5)
    trajectory_case("train_shared_adam", "the d2l shared net, MSELoss, Adam(lr=1e-2), 5 steps",
                    d2l_shared, lambda: torch.randn(6, 4), lambda: torch.randn(6, 1), nn.MSELoss(),
                    lambda p: torch.optim.Adam(p, lr=1e-2), 5)
    write_print("shared_d2l", d2l_shared())


def cnn2d():
    # no bias before a BatchNorm (as such nets are written): its gradient is zero up to
    # rounding, which Adam would turn into steps of lr in the rounding's direction
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, bias=False), nn.BatchNorm2d(6), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Flatten(), nn.Linear(24, 3))


def cnn1d():
    return nn.Sequential(nn.Conv1d(2, 4, 3, padding=1, bias=False), nn.BatchNorm1d(4), nn.ReLU(), nn.MaxPool1d(2),
                         nn.Conv1d(4, 5, 3, dilation=2), nn.ReLU(), nn.Flatten(), nn.Linear(20, 2))


def cnn_cases():
    """Deep convolutional nets (conv, BatchNorm, ReLU, pooling, Flatten, Linear) trained for a
    few steps: the losses, every parameter and buffer (running statistics, num_batches_tracked)
    after training, the optimizer state, and the eval-mode output afterwards."""
    x2 = lambda: torch.randn(5, 1, 12, 12)
    trajectory_case("train_cnn2d_sgd_momentum", "Conv2d(bias=False)/BatchNorm2d/ReLU/MaxPool2d/Conv2d(bias=False)/BatchNorm2d/ReLU/"
                    "AvgPool2d/Flatten/Linear on (5, 1, 12, 12), CrossEntropyLoss, SGD(lr=0.1, momentum=0.9), 4 steps",
                    cnn2d, x2, lambda: torch.tensor([0, 2, 1, 2, 0]), nn.CrossEntropyLoss(),
                    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), 4, eval_after=True)
    trajectory_case("train_cnn2d_adam", "the same 2-D net, CrossEntropyLoss, Adam(lr=1e-2), 4 steps",
                    cnn2d, x2, lambda: torch.tensor([1, 0, 2, 2, 1]), nn.CrossEntropyLoss(),
                    lambda p: torch.optim.Adam(p, lr=1e-2), 4, eval_after=True)
    x1 = lambda: torch.randn(4, 2, 16)
    trajectory_case("train_cnn1d_adam", "Conv1d(bias=False)/BatchNorm1d/ReLU/MaxPool1d/Conv1d(dilation=2)/ReLU/Flatten/Linear "
                    "on (4, 2, 16), MSELoss, Adam(lr=1e-2), 4 steps",
                    cnn1d, x1, lambda: torch.randn(4, 2), nn.MSELoss(),
                    lambda p: torch.optim.Adam(p, lr=1e-2), 4, eval_after=True)
    trajectory_case("train_cnn1d_sgd_momentum", "the same 1-D net, MSELoss, SGD(lr=0.05, momentum=0.9), 4 steps",
                    cnn1d, x1, lambda: torch.randn(4, 2), nn.MSELoss(),
                    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), 4, eval_after=True)
    write_print("cnn2d", cnn2d())
    write_print("cnn1d", cnn1d())
# ---------------------------------------------------------------- normalisation layers

def norm_case(name, description, make_module, make_x, forwards=3):
    """A normalisation layer in training mode, then in eval mode. The affine parameters are
    drawn (randn, float32) instead of PyTorch's ones and zeros so that they matter. Tensors:
    `x0`..`x<forwards-1>` (the training batches, in order), `weight`, `bias` (when affine),
    for the first training forward `grad_out`, `y`, `grad_x`, `grad.<param>`; the running
    statistics after it (`after1.<buffer>`) and after all forwards (`after<forwards>.<buffer>`);
    then in eval mode on x0: `eval.grad_out`, `eval.y`, `eval.grad_x`, `eval.grad.<param>`."""
    torch.manual_seed(case_seed(name))
    module = make_module()
    with torch.no_grad():
        for _, p in module.named_parameters():
            p.copy_(torch.randn(p.shape) * 0.5 + (1.0 if p is getattr(module, "weight", None) else 0.0))
    module = module.to(torch.float64)
    xs = [make_x().to(torch.float64) for _ in range(forwards)]
    params = list(module.named_parameters())
    tensors = [("x%d" % i, x) for i, x in enumerate(xs)]
    tensors += [(n, p.detach().clone()) for n, p in params]

    def run(prefix, x):
        x = x.clone().requires_grad_(True)
        module.zero_grad()
        y = module(x)
        grad_out = torch.randn(y.shape).to(torch.float64)
        y.backward(grad_out)
        return [(prefix + "grad_out", grad_out), (prefix + "y", y), (prefix + "grad_x", x.grad)] + \
            [(prefix + "grad." + n, p.grad.clone()) for n, p in params]

    def buffers(prefix):
        return [(prefix + n, b.clone()) for n, b in module.named_buffers()]

    module.train()
    tensors += run("", xs[0])
    tensors += buffers("after1.")
    with torch.no_grad():
        for x in xs[1:]:
            module(x)
    if forwards > 1:
        tensors += buffers("after%d." % forwards)
    module.eval()
    tensors += run("eval.", xs[0])
    write_case(name, description, tensors)


def norm_cases():
    """BatchNorm1d on (C) and (C, L), BatchNorm2d, their options (affine, track_running_stats,
    momentum None, eps), LayerNorm over one and two dimensions, GroupNorm; print(model) texts."""
    norm_case("bn1d", "nn.BatchNorm1d(6) on x (4, 6), three training forwards then eval",
              lambda: nn.BatchNorm1d(6), lambda: torch.randn(4, 6) * 2 + 0.5)
    norm_case("bn1d_seq", "nn.BatchNorm1d(3) on x (4, 3, 4), three training forwards then eval",
              lambda: nn.BatchNorm1d(3), lambda: torch.randn(4, 3, 4) * 2 - 0.5)
    norm_case("bn2d", "nn.BatchNorm2d(3) on x (4, 3, 2, 2), three training forwards then eval",
              lambda: nn.BatchNorm2d(3), lambda: torch.randn(4, 3, 2, 2) + 1.0)
    norm_case("bn1d_noaffine", "nn.BatchNorm1d(3, affine=False) on x (4, 3, 4)",
              lambda: nn.BatchNorm1d(3, affine=False), lambda: torch.randn(4, 3, 4) * 3)
    norm_case("bn2d_nostats", "nn.BatchNorm2d(3, track_running_stats=False) on x (4, 3, 2, 2): eval uses the batch",
              lambda: nn.BatchNorm2d(3, track_running_stats=False), lambda: torch.randn(4, 3, 2, 2))
    norm_case("bn1d_cma", "nn.BatchNorm1d(6, momentum=None) on x (4, 6): cumulative average, four forwards",
              lambda: nn.BatchNorm1d(6, momentum=None), lambda: torch.randn(4, 6) * 2, forwards=4)
    norm_case("bn2d_momentum", "nn.BatchNorm2d(2, eps=1e-3, momentum=0.3) on x (4, 2, 2, 2)",
              lambda: nn.BatchNorm2d(2, eps=1e-3, momentum=0.3), lambda: torch.randn(4, 2, 2, 2) * 2)
    norm_case("ln", "nn.LayerNorm(5) on x (4, 5)", lambda: nn.LayerNorm(5), lambda: torch.randn(4, 5) * 2,
              forwards=1)
    norm_case("ln_seq", "nn.LayerNorm(5) on x (4, 3, 5): each time step alone", lambda: nn.LayerNorm(5),
              lambda: torch.randn(4, 3, 5) * 2, forwards=1)
    norm_case("ln_2d", "nn.LayerNorm((2, 3)) on x (4, 2, 2, 3)", lambda: nn.LayerNorm((2, 3)),
              lambda: torch.randn(4, 2, 2, 3), forwards=1)
    norm_case("ln_noaffine", "nn.LayerNorm(5, eps=1e-3, elementwise_affine=False) on x (4, 3, 5)",
              lambda: nn.LayerNorm(5, eps=1e-3, elementwise_affine=False), lambda: torch.randn(4, 3, 5), forwards=1)
    norm_case("gn", "nn.GroupNorm(2, 4) on x (4, 4, 3)", lambda: nn.GroupNorm(2, 4), lambda: torch.randn(4, 4, 3),
              forwards=1)
    norm_case("gn_noaffine", "nn.GroupNorm(3, 6, affine=False) on x (4, 6, 1, 2)",
              lambda: nn.GroupNorm(3, 6, affine=False), lambda: torch.randn(4, 6, 1, 2), forwards=1)
    norm_case("gn_flat", "nn.GroupNorm(3, 6) on x (4, 6)", lambda: nn.GroupNorm(3, 6), lambda: torch.randn(4, 6),
              forwards=1)

    write_print("norm_bn2d", nn.BatchNorm2d(8))
    write_print("norm_bn1d_options", nn.BatchNorm1d(16, eps=1e-3, momentum=None, affine=False,
                                                    track_running_stats=False))
    write_print("norm_ln", nn.LayerNorm(8))
    write_print("norm_ln_2d", nn.LayerNorm((4, 8), eps=1e-6, elementwise_affine=False))
    write_print("norm_gn", nn.GroupNorm(2, 8))
    write_print("norm_seq", nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8, momentum=0.01), nn.ReLU(),
                                          nn.Linear(8, 4), nn.LayerNorm(4), nn.GroupNorm(2, 4, affine=False)))
# ---------------------------------------------------------------- pooling and PReLU

def prelu_random(n):
    """nn.PReLU(n) with slopes drawn in [-0.5, 0.5] (PyTorch's init, 0.25 everywhere, would
    not tell the channels apart); the init value is checked separately."""
    def make():
        m = nn.PReLU(n)
        with torch.no_grad():
            m.weight.uniform_(-0.5, 0.5)
        return m
    return make


def pool_seq2d():
    return nn.Sequential(nn.PReLU(2), nn.MaxPool2d(2, padding=1), nn.AdaptiveAvgPool2d(2), nn.Flatten(),
                         nn.Linear(8, 5))


def pool_seq1d():
    return nn.Sequential(nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), nn.MaxPool1d(2),
                         nn.AdaptiveMaxPool1d(3), nn.Flatten(), nn.Linear(9, 4))


def pool_cases():
    """MaxPool1d/2d (stride, padding, dilation, ceil_mode, ties), AvgPool1d/2d
    (count_include_pad both ways, ceil_mode, divisor_override), the adaptive poolings (sizes
    that do not divide, larger than the input), PReLU (one slope, one per channel on (F),
    (C, L), (C, H, W)), two Sequentials mixing them with Flatten and Linear, print goldens.
    Batches of 3."""
    cases = [
        ("pool_max1d", "nn.MaxPool1d(2) on x (3, 2, 9)", lambda: nn.MaxPool1d(2), (3, 2, 9)),
        ("pool_max1d_s2p1d2", "nn.MaxPool1d(3, stride=2, padding=1, dilation=2) on x (3, 3, 11)",
         lambda: nn.MaxPool1d(3, stride=2, padding=1, dilation=2), (3, 3, 11)),
        ("pool_max1d_ceil", "nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True) on x (3, 2, 10)",
         lambda: nn.MaxPool1d(3, stride=2, padding=1, ceil_mode=True), (3, 2, 10)),
        ("pool_max2d", "nn.MaxPool2d(2) on x (3, 2, 4, 5)", lambda: nn.MaxPool2d(2), (3, 2, 4, 5)),
        ("pool_max2d_tuple", "nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), ceil_mode=True) "
         "on x (3, 1, 7, 8)",
         lambda: nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), ceil_mode=True), (3, 1, 7, 8)),
        ("pool_max2d_ceil", "nn.MaxPool2d(3, stride=2, ceil_mode=True) on x (3, 1, 6, 8): last windows past the "
         "input", lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True), (3, 1, 6, 8)),
        ("pool_avg1d", "nn.AvgPool1d(3, stride=2, padding=1) on x (3, 2, 10): count_include_pad=True",
         lambda: nn.AvgPool1d(3, stride=2, padding=1), (3, 2, 10)),
        ("pool_avg1d_exclude_ceil", "nn.AvgPool1d(4, stride=3, padding=2, ceil_mode=True, count_include_pad=False) "
         "on x (3, 2, 11)", lambda: nn.AvgPool1d(4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
         (3, 2, 11)),
        ("pool_avg1d_include_ceil", "nn.AvgPool1d(4, stride=3, padding=2, ceil_mode=True) on x (3, 2, 11)",
         lambda: nn.AvgPool1d(4, stride=3, padding=2, ceil_mode=True), (3, 2, 11)),
        ("pool_avg2d", "nn.AvgPool2d(2) on x (3, 1, 5, 7)", lambda: nn.AvgPool2d(2), (3, 1, 5, 7)),
        ("pool_avg2d_tuple", "nn.AvgPool2d((3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True, "
         "count_include_pad=False) on x (3, 1, 6, 5)",
         lambda: nn.AvgPool2d((3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True, count_include_pad=False),
         (3, 1, 6, 5)),
        ("pool_avg2d_divisor", "nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, divisor_override=5) on x "
         "(3, 1, 6, 6)", lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, divisor_override=5),
         (3, 1, 6, 6)),
        ("pool_adaptive_avg1d", "nn.AdaptiveAvgPool1d(4) on x (3, 2, 10)", lambda: nn.AdaptiveAvgPool1d(4),
         (3, 2, 10)),
        ("pool_adaptive_avg1d_up", "nn.AdaptiveAvgPool1d(7) on x (3, 2, 5): more outputs than inputs",
         lambda: nn.AdaptiveAvgPool1d(7), (3, 2, 5)),
        ("pool_adaptive_avg2d", "nn.AdaptiveAvgPool2d((3, 2)) on x (3, 1, 7, 5)",
         lambda: nn.AdaptiveAvgPool2d((3, 2)), (3, 1, 7, 5)),
        ("pool_adaptive_avg2d_1", "nn.AdaptiveAvgPool2d(1) on x (3, 4, 3, 4)", lambda: nn.AdaptiveAvgPool2d(1),
         (3, 4, 3, 4)),
        ("pool_adaptive_max1d", "nn.AdaptiveMaxPool1d(3) on x (3, 2, 8)", lambda: nn.AdaptiveMaxPool1d(3), (3, 2, 8)),
        ("pool_adaptive_max2d", "nn.AdaptiveMaxPool2d((2, 3)) on x (3, 2, 5, 7)",
         lambda: nn.AdaptiveMaxPool2d((2, 3)), (3, 2, 5, 7)),
        ("prelu_one", "nn.PReLU() (slope 0.25) on x (3, 5)", lambda: nn.PReLU(), (3, 5)),
        ("prelu_one_chw", "nn.PReLU() with slope -0.3 on x (3, 2, 3, 4)",
         lambda: nn.PReLU(init=-0.3), (3, 2, 3, 4)),
        ("prelu_f", "nn.PReLU(4), slopes U(-0.5, 0.5), on x (3, 4): one per feature", prelu_random(4), (3, 4)),
        ("prelu_cl", "nn.PReLU(4), slopes U(-0.5, 0.5), on x (3, 4, 6): one per channel", prelu_random(4),
         (3, 4, 6)),
        ("prelu_chw", "nn.PReLU(3), slopes U(-0.5, 0.5), on x (3, 3, 2, 4): one per channel", prelu_random(3),
         (3, 3, 2, 4)),
        ("pool_seq2d", "nn.Sequential(PReLU(2), MaxPool2d(2, padding=1), AdaptiveAvgPool2d(2), Flatten(), "
         "Linear(8, 5)) on x (3, 2, 6, 7)", pool_seq2d, (3, 2, 6, 7)),
        ("pool_seq1d", "nn.Sequential(AvgPool1d(3, stride=2, padding=1, count_include_pad=False), MaxPool1d(2), "
         "AdaptiveMaxPool1d(3), Flatten(), Linear(9, 4)) on x (3, 3, 12)", pool_seq1d, (3, 3, 12)),
    ]
    for name, description, make, shape in cases:
        module_case(name, description, make, lambda shape=shape: torch.randn(*shape))
    # ties: integer inputs, overlapping windows; the gradient goes to the first maximum
    module_case("pool_max2d_ties", "nn.MaxPool2d(3, stride=1, padding=1) on x (3, 1, 4, 5) of integers in [-2, 2]: "
                "ties everywhere, the gradient goes to the first maximum in scan order",
                lambda: nn.MaxPool2d(3, stride=1, padding=1), lambda: torch.randint(-2, 3, (3, 1, 4, 5)).float())
    module_case("pool_adaptive_max1d_ties", "nn.AdaptiveMaxPool1d(4) on x (3, 2, 9) of integers in [-1, 1]",
                lambda: nn.AdaptiveMaxPool1d(4), lambda: torch.randint(-1, 2, (3, 2, 9)).float())
    module_case("prelu_zero", "nn.PReLU(2), slopes U(-0.5, 0.5), on x (3, 2, 4) with zeros: at 0 PyTorch takes "
                "the negative side", prelu_random(2), lambda: torch.randint(-1, 2, (3, 2, 4)).float())
    prints = [
        ("pool_max1d", nn.MaxPool1d(2)),
        ("pool_max1d_options", nn.MaxPool1d(3, stride=2, padding=1, dilation=2, ceil_mode=True)),
        ("pool_max2d", nn.MaxPool2d(2)),
        ("pool_max2d_tuple", nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1), ceil_mode=True)),
        ("pool_avg1d", nn.AvgPool1d(3, stride=2)),
        ("pool_avg1d_options", nn.AvgPool1d(4, stride=3, padding=2, ceil_mode=True, count_include_pad=False)),
        ("pool_avg2d", nn.AvgPool2d(2)),
        # ctnn prints a size of two equal numbers as one, as PyTorch prints an int (padding=1)
        ("pool_avg2d_tuple", nn.AvgPool2d((3, 2), stride=(2, 1), padding=1, ceil_mode=True,
                                          count_include_pad=False, divisor_override=5)),
        ("pool_adaptive_avg1d", nn.AdaptiveAvgPool1d(4)),
        ("pool_adaptive_avg2d", nn.AdaptiveAvgPool2d(1)),
        ("pool_adaptive_avg2d_tuple", nn.AdaptiveAvgPool2d((3, 2))),
        ("pool_adaptive_max1d", nn.AdaptiveMaxPool1d(3)),
        ("pool_adaptive_max2d", nn.AdaptiveMaxPool2d(2)),
        ("pool_adaptive_max2d_tuple", nn.AdaptiveMaxPool2d((2, 3))),
        ("prelu_one", nn.PReLU()),
        ("prelu_four", nn.PReLU(4, init=0.1)),
        ("pool_seq2d", pool_seq2d()),
        ("pool_seq1d", pool_seq1d()),
    ]
    for name, module in prints:
        write_print(name, module)
# ---------------------------------------------------------------- recurrent layers

class SeqModel(nn.Module):
    """Sequential(GRU, Linear) as ctnn runs it: the Linear on the GRU's output sequence
    (children named "0" and "1", so the state_dict names are nn.Sequential's)."""

    def __init__(self, rnn, head):
        super().__init__()
        self.add_module("0", rnn)
        self.add_module("1", head)

    def forward(self, x):
        out, _ = getattr(self, "0")(x)
        return getattr(self, "1")(out)


class SeqOutput(nn.Module):
    """`output, _ = rnn(x)`: the whole output sequence."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]

    def state_dict(self, *args, **kwargs):
        return self.rnn.state_dict(*args, **kwargs)


RECURRENT = [
    # (case, module factory, T, In, description)
    ("rnn_tanh", lambda: nn.RNN(3, 4, batch_first=True), 5, 3, "nn.RNN(3, 4, batch_first=True)"),
    ("rnn_relu_l2", lambda: nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True), 4, 3,
     "nn.RNN(3, 4, num_layers=2, nonlinearity='relu', batch_first=True)"),
    ("rnn_bi_l2_t1", lambda: nn.RNN(2, 3, num_layers=2, bidirectional=True, batch_first=True), 1, 2,
     "nn.RNN(2, 3, num_layers=2, bidirectional=True, batch_first=True), T = 1"),
    ("gru", lambda: nn.GRU(3, 5, batch_first=True), 6, 3, "nn.GRU(3, 5, batch_first=True)"),
    ("gru_l2_nobias", lambda: nn.GRU(3, 4, num_layers=2, bias=False, batch_first=True), 3, 3,
     "nn.GRU(3, 4, num_layers=2, bias=False, batch_first=True)"),
    ("gru_bi", lambda: nn.GRU(2, 3, bidirectional=True, batch_first=True), 4, 2,
     "nn.GRU(2, 3, bidirectional=True, batch_first=True)"),
    ("gru_l3_bi", lambda: nn.GRU(2, 3, num_layers=3, bidirectional=True, batch_first=True), 2, 2,
     "nn.GRU(2, 3, num_layers=3, bidirectional=True, batch_first=True)"),
    ("lstm", lambda: nn.LSTM(3, 5, batch_first=True), 6, 3, "nn.LSTM(3, 5, batch_first=True)"),
    ("lstm_l3", lambda: nn.LSTM(2, 4, num_layers=3, batch_first=True), 5, 2,
     "nn.LSTM(2, 4, num_layers=3, batch_first=True)"),
    ("lstm_l2_bi_nobias", lambda: nn.LSTM(3, 4, num_layers=2, bias=False, bidirectional=True, batch_first=True), 3, 3,
     "nn.LSTM(3, 4, num_layers=2, bias=False, bidirectional=True, batch_first=True)"),
]


def recurrent_cases():
    """RNN (tanh, relu), GRU, LSTM with batch_first=True: output sequences and every gradient
    on batches of 3; the final state of a forward from a given initial state; a long signal
    streamed through GRU and LSTM stacks (with a Linear head, to keep the file small); print
    goldens; a GRU + Linear model trained with Adam."""
    for name, make, T, In, desc in RECURRENT:
        module_case("recurrent_" + name, desc + " on x (3, %d, %d): output, _ = rnn(x)" % (T, In),
                    lambda make=make: SeqOutput(make()), lambda T=T, In=In: torch.randn(3, T, In))
    # initial state given, final state read
    for name, make in [("gru", lambda: nn.GRU(2, 3, num_layers=2, batch_first=True)),
                       ("lstm", lambda: nn.LSTM(2, 3, num_layers=2, batch_first=True))]:
        case = "recurrent_state_" + name
        torch.manual_seed(case_seed(case))
        m = make().to(torch.float64)
        x = torch.randn(3, 4, 2).to(torch.float64)
        h0 = torch.randn(2, 3, 3).to(torch.float64)
        tensors = [("x", x)] + list(m.state_dict().items()) + [("h0", h0)]
        with torch.no_grad():
            if name == "lstm":
                c0 = torch.randn(2, 3, 3).to(torch.float64)
                y, (hn, cn) = m(x, (h0, c0))
                tensors += [("c0", c0), ("y", y), ("hn", hn), ("cn", cn)]
            else:
                y, hn = m(x, h0)
                tensors += [("y", y), ("hn", hn)]
        write_case(case, "%s with h0 (and c0) given, 2 layers: y, h_n (c_n)" % name, tensors)
    # streaming: a long signal through a 2-layer stack and a Linear(8, 1) head
    for name, make in [("gru", lambda: nn.GRU(1, 8, num_layers=2, batch_first=True)),
                       ("lstm", lambda: nn.LSTM(1, 8, num_layers=2, batch_first=True))]:
        case = "recurrent_stream_" + name
        module_case(case, "%s(1, 8, num_layers=2) + Linear(8, 1) on one signal of 1000 steps" % name.upper(),
                    lambda make=make: SeqModel(make(), nn.Linear(8, 1)),
                    lambda: torch.sin(torch.arange(1000.0) * 0.05).reshape(1, 1000, 1) + 0.3 * torch.randn(1, 1000, 1),
                    grads=False)
    write_print("recurrent_gru_1_8", nn.GRU(1, 8))
    write_print("recurrent_lstm_8_8_3", nn.LSTM(8, 8, num_layers=3))
    write_print("recurrent_gru_bi_nobias", nn.GRU(3, 4, bias=False, bidirectional=True))
    write_print("recurrent_rnn_relu", nn.RNN(3, 4, num_layers=2, nonlinearity="relu"))
    write_print("recurrent_seq", nn.Sequential(nn.GRU(3, 8), nn.Linear(8, 2)))
    trajectory_case("train_recurrent_gru_adam",
                    "Sequential(GRU(2, 6, batch_first=True), Linear(6, 1)) seq-to-seq, x randn(4, 5, 2), "
                    "target randn(4, 5, 1), MSELoss, Adam(lr=1e-2), 6 steps",
                    lambda: SeqModel(nn.GRU(2, 6, batch_first=True), nn.Linear(6, 1)),
                    lambda: torch.randn(4, 5, 2), lambda: torch.randn(4, 5, 1), nn.MSELoss(),
                    lambda p: torch.optim.Adam(p, lr=1e-2), 6)
# ---------------------------------------------------------------- containers

class Residual(nn.Sequential):
    """ctnn::Residual<Layers...>: y = x + body(x), its layers named "0", "1", ... (docs/layers.md)."""

    def forward(self, x):
        return x + super().forward(x)


class Concat(nn.ModuleList):
    """ctnn::Concat<Branches...>: every branch on the same x, outputs concatenated along dim 1
    (the channels; docs/layers.md)."""

    def forward(self, x):
        return torch.cat([b(x) for b in self], 1)


def containers_concat():
    """Three branches on (C, L) = (3, 4) samples giving 2, 3 and 1 channels of length 4 (a
    channel-changing branch written with Flatten/Linear/Unflatten), then a Linear head."""
    return nn.Sequential(
        Concat([nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.Unflatten(1, (2, 4))),
                nn.Sequential(nn.Linear(4, 4), nn.Tanh()),
                nn.Sequential(nn.Flatten(), nn.Linear(12, 4), nn.ReLU(), nn.Unflatten(1, (1, 4)))]),
        nn.Flatten(), nn.Linear(24, 3))


def containers_nested():
    """A Residual inside a Concat (beside a Sequential and a bare Linear) inside a Sequential."""
    return nn.Sequential(nn.Linear(5, 6),
                         Concat([Residual(nn.Linear(6, 6), nn.Tanh()),
                                 nn.Sequential(nn.Linear(6, 3), nn.ReLU()),
                                 nn.Linear(6, 2)]),
                         nn.Linear(11, 2))


def containers_cases():
    """ctnn::Residual and ctnn::Concat as the PyTorch classes above: values and all gradients,
    print(model) texts, an SGD-momentum trajectory and a PyTorch safetensors file to load."""
    module_case("residual_flat", "Residual(Linear(5, 8), ReLU, Linear(8, 5)) on x (4, 5)",
                lambda: Residual(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 5)), lambda: torch.randn(4, 5))
    module_case("residual_time", "Sequential(Residual(Linear(4, 6), ReLU, Linear(6, 4))) on (T, F) samples, "
                "x (3, 5, 4)",
                lambda: nn.Sequential(Residual(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 4))),
                lambda: torch.randn(3, 5, 4))
    module_case("concat_channels", "Sequential(Concat(3 branches: 2, 3, 1 channels), Flatten, Linear(24, 3)) "
                "on (C, L) samples, x (2, 3, 4)", containers_concat, lambda: torch.randn(2, 3, 4))
    module_case("containers_nested", "Sequential(Linear(5, 6), Concat(Residual(Linear(6, 6), Tanh), "
                "Sequential(Linear(6, 3), ReLU), Linear(6, 2)), Linear(11, 2)) on x (4, 5)",
                containers_nested, lambda: torch.randn(4, 5))
    trajectory_case("train_containers_sgd", "containers_nested, MSELoss, SGD(lr=0.05, momentum=0.9), 5 steps",
                    containers_nested, lambda: torch.randn(6, 5), lambda: torch.randn(6, 2), nn.MSELoss(),
                    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9), 5)
    write_print("residual_flat", Residual(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 5)))
    write_print("concat_channels", containers_concat())
    write_print("containers_nested", containers_nested())

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
    from safetensors_torch import save_file
    torch.manual_seed(case_seed("containers_nested_file"))
    m = containers_nested()
    x = torch.randn(3, 5)
    with torch.no_grad():
        y = m(x)
    path = os.path.join(DATA_DIR, "containers_nested.safetensors")
    save_file(m.state_dict(), path, metadata={"format": "pt"})
    print("wrote %s (%d bytes)" % (os.path.relpath(path), os.path.getsize(path)))
    write_case("containers_nested_file", "containers_nested.safetensors's model (float32) on x (3, 5): y",
               [("x", x), ("y", y)])


class CausalConv1d(nn.Conv1d):
    """ctnn's Conv1d with padding ctnn::causal: (K - 1) * dilation zeros on the left only."""

    def forward(self, x):
        return super().forward(nn.functional.pad(x, ((self.kernel_size[0] - 1) * self.dilation[0], 0)))


def tcn():
    """A dilated causal stack with residual sums, as audio models are built (a TCN)."""
    return nn.Sequential(CausalConv1d(1, 4, 1),
                         *[Residual(CausalConv1d(4, 4, 3, dilation=d), nn.Tanh()) for d in (1, 2, 4, 8)],
                         CausalConv1d(4, 1, 1))


def tcn_cases():
    """The TCN's sequence output on a 1,200-step signal: streaming it step by step from a zero
    state must give the same (tests/unit/streaming_test.cpp)."""
    torch.manual_seed(case_seed("tcn_stream"))
    model = tcn().to(torch.float64)
    t = torch.arange(1200, dtype=torch.float64)
    x = (0.6 * torch.sin(2 * torch.pi * 220 * t / 48000) + 0.3 * torch.randn(1200, dtype=torch.float64)).reshape(1, 1, 1200)
    with torch.no_grad():
        y = model(x)
    write_case("tcn_stream", "a dilated causal Conv1d stack with residual sums (dilations 1, 2, 4, 8), "
               "one (1, 1200) signal", [("x", x)] + list(model.state_dict().items()) + [("y", y)])


# ---------------------------------------------------------------- main

# ---------------------------------------------------------------- convolutions

class CausalConv1d(nn.Conv1d):
    """ctnn's Conv1d with padding=ctnn::causal as a PyTorch user writes it: (K - 1) dilation
    zeros on the left, none on the right; state_dict names stay Conv1d's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.left = self.dilation[0] * (self.kernel_size[0] - 1)

    def forward(self, x):
        return nn.functional.conv1d(nn.functional.pad(x, (self.left, 0)), self.weight, self.bias, self.stride, 0,
                                    self.dilation, self.groups)


# (case name, constructor, input shape of a batch of 3); the C++ test lists the same cases
CONV_CASES = [
    ("conv1d_basic", lambda: nn.Conv1d(2, 3, 3), (3, 2, 9)),
    ("conv1d_stride", lambda: nn.Conv1d(1, 4, 5, stride=3), (3, 1, 17)),
    ("conv1d_padding", lambda: nn.Conv1d(2, 3, 3, padding=2), (3, 2, 7)),
    ("conv1d_same_even", lambda: nn.Conv1d(2, 3, 4, padding="same"), (3, 2, 8)),
    ("conv1d_same_dilated", lambda: nn.Conv1d(2, 2, 3, padding="same", dilation=2), (3, 2, 8)),
    ("conv1d_valid", lambda: nn.Conv1d(2, 3, 3, padding="valid"), (3, 2, 6)),
    ("conv1d_dilation", lambda: nn.Conv1d(2, 3, 3, stride=2, padding=1, dilation=2), (3, 2, 11)),
    ("conv1d_groups", lambda: nn.Conv1d(4, 6, 3, groups=2), (3, 4, 7)),
    ("conv1d_depthwise", lambda: nn.Conv1d(3, 3, 3, padding=1, groups=3), (3, 3, 6)),
    ("conv1d_nobias", lambda: nn.Conv1d(2, 3, 3, bias=False), (3, 2, 6)),
    ("conv1d_reflect", lambda: nn.Conv1d(2, 3, 3, padding=2, padding_mode="reflect"), (3, 2, 6)),
    ("conv1d_replicate", lambda: nn.Conv1d(2, 3, 3, padding=2, padding_mode="replicate"), (3, 2, 6)),
    ("conv1d_circular", lambda: nn.Conv1d(2, 3, 3, padding=2, padding_mode="circular"), (3, 2, 6)),
    ("conv1d_same_reflect", lambda: nn.Conv1d(2, 3, 4, padding="same", padding_mode="reflect"), (3, 2, 6)),
    ("conv1d_causal", lambda: CausalConv1d(2, 3, 3, dilation=2), (3, 2, 10)),
    # rows of at least a SIMD packet of outputs (16 floats with AVX-512): the direct forward
    # (detail/conv_direct.hpp), with rows not a whole number of packets and channel remainders
    ("conv1d_wide", lambda: nn.Conv1d(5, 7, 3, padding=3, dilation=2), (3, 5, 45)),
    ("conv1d_wide_groups", lambda: nn.Conv1d(6, 9, 4, padding="same", groups=3, padding_mode="reflect"), (3, 6, 37)),
    ("conv1d_deep", lambda: nn.Conv1d(8, 20, 5), (3, 8, 40)),
    ("conv2d_basic", lambda: nn.Conv2d(2, 3, 3), (3, 2, 5, 4)),
    ("conv2d_wide", lambda: nn.Conv2d(3, 5, (2, 3), stride=(2, 1), padding=(1, 1), dilation=(1, 2)), (3, 3, 5, 24)),
    ("conv2d_wide_nobias", lambda: nn.Conv2d(2, 4, 3, padding=1, bias=False), (3, 2, 3, 33)),
    ("conv2d_rect", lambda: nn.Conv2d(1, 4, (3, 2), stride=(2, 1), padding=(1, 0)), (3, 1, 7, 5)),
    ("conv2d_same", lambda: nn.Conv2d(2, 2, (4, 3), padding="same", dilation=(1, 2)), (3, 2, 5, 5)),
    ("conv2d_groups", lambda: nn.Conv2d(4, 4, 3, padding=1, groups=2, bias=False), (3, 4, 4, 3)),
    ("conv2d_depthwise", lambda: nn.Conv2d(3, 3, 3, stride=2, groups=3), (3, 3, 5, 5)),
    ("conv2d_reflect", lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect"), (3, 2, 3, 4)),
    ("conv2d_replicate", lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="replicate"), (3, 2, 3, 4)),
    ("conv2d_circular", lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="circular"), (3, 2, 3, 4)),
    ("convt1d_basic", lambda: nn.ConvTranspose1d(2, 3, 3), (3, 2, 5)),
    ("convt1d_stride", lambda: nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1, output_padding=1), (3, 3, 5)),
    ("convt1d_groups", lambda: nn.ConvTranspose1d(4, 6, 3, stride=3, output_padding=2, groups=2, bias=False,
                                                  dilation=2), (3, 4, 4)),
    ("convt2d", lambda: nn.ConvTranspose2d(2, 3, (3, 2), stride=(2, 1), padding=(1, 0), output_padding=(1, 0)),
     (3, 2, 4, 3)),
]


def conv_net():
    return nn.Sequential(nn.Conv1d(1, 4, 3), nn.ReLU(), nn.Conv1d(4, 2, 3, stride=2), nn.Flatten(), nn.Linear(12, 3))


def conv_cases():
    """Conv1d, Conv2d, ConvTranspose1d/2d (every padding kind and mode, strides, dilations,
    groups, no bias; a batch of 3), a small network, and their print(model) texts."""
    for name, make, shape in CONV_CASES:
        module_case(name, "%s on x %s" % (make(), tuple(shape)), make, lambda shape=shape: torch.randn(*shape))
        if name != "conv1d_causal":
            write_print(name, make())
    module_case("conv_net", "Sequential(Conv1d(1,4,3), ReLU, Conv1d(4,2,3,stride=2), Flatten, Linear(12,3)) on (3,1,16)",
                conv_net, lambda: torch.randn(3, 1, 16))
    write_print("conv_net", conv_net())
    write_print("conv1d_same_print", nn.Conv1d(1, 12, 5, padding="same"))
    write_print("conv1d_valid_print", nn.Conv1d(1, 12, 5, padding="valid"))


# ---------------------------------------------------------------- interop: conv and recurrent files

class LastStep(nn.Module):
    """ctnn::LastStep: `out[:, -1, :]`."""

    def forward(self, x):
        return x[:, -1, :]


def io_nets_cases():
    """safetensors files PyTorch writes for the layer families of issues 12 and 13, loaded by
    ctnn strictly and compiled in by ctnn-embed (tests/interop/embed_test.cpp): a CNN with
    BatchNorm (running statistics from three training-mode forwards, num_batches_tracked 3, a
    bias-free Conv2d), a two-layer GRU + Linear on every step, and a bidirectional bias-free
    LSTM + LastStep + Linear. data/io_<name>.txt holds x and PyTorch's eval-mode y (float64
    forward of the float32 weights)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
    from safetensors_torch import save_file

    def case(name, description, make, x_shape, train_forwards=0):
        torch.manual_seed(case_seed(name))
        net = make()
        with torch.no_grad():
            for p in net.parameters():  # off PyTorch's constant inits (BatchNorm's 1 and 0)
                p.add_(torch.empty_like(p).uniform_(-0.3, 0.3))
            net.train()
            for _ in range(train_forwards):
                net(torch.randn(4, *x_shape) * 1.5 + 0.3)
        net.eval()
        path = os.path.join(DATA_DIR, name + ".safetensors")
        save_file(net.state_dict(), path, metadata={"format": "pt"})
        print("wrote %s (%d bytes)" % (os.path.relpath(path), os.path.getsize(path)))
        x = torch.randn(3, *x_shape, dtype=torch.float64)
        net64 = make().double().eval()
        net64.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in net.state_dict().items()})
        with torch.no_grad():
            y = net64(x)
        write_case(name, description, [("x", x.reshape(3, -1)), ("y", y.reshape(3, -1))])

    case("io_cnn", "nn.Sequential(Conv2d(1,4,3,padding=1), BatchNorm2d(4), ReLU, MaxPool2d(2), "
         "Conv2d(4,4,3,stride=2,padding=1,bias=False), BatchNorm2d(4), ReLU, Flatten, Linear(16,3)) on (1,8,8), eval",
         lambda: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                               nn.Conv2d(4, 4, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                               nn.Flatten(), nn.Linear(16, 3)),
         (1, 8, 8), train_forwards=3)
    case("io_gru", "SeqModel(GRU(2, 8, num_layers=2, batch_first=True), Linear(8, 1)) on (T, F) = (6, 2)",
         lambda: SeqModel(nn.GRU(2, 8, num_layers=2, batch_first=True), nn.Linear(8, 1)), (6, 2))

    class LstmLast(nn.Module):
        def __init__(self):
            super().__init__()
            self.add_module("0", nn.LSTM(2, 5, bias=False, bidirectional=True, batch_first=True))
            self.add_module("1", LastStep())
            self.add_module("2", nn.Linear(10, 2))

        def forward(self, x):
            return getattr(self, "2")(getattr(self, "1")(getattr(self, "0")(x)[0]))

    case("io_lstm", "LSTM(2, 5, bias=False, bidirectional=True, batch_first=True), LastStep, Linear(10, 2) on (4, 2)",
         LstmLast, (4, 2))


GROUPS = {
    "core": core_cases,
    "modules": module_cases,
    "loss": loss_cases,
    "optim": optim_cases,
    "io": io_cases,
    "shapes": shape_cases,
    "tensors": tensors_cases,
    "shared": shared_cases,
    "cnn": cnn_cases,
    "norm": norm_cases,
    "pool": pool_cases,
    "conv": conv_cases,
    "recurrent": recurrent_cases,
    "containers": containers_cases,
    "tcn": tcn_cases,
    "io_nets": io_nets_cases,
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
