#!/usr/bin/python3
"""Turns ctnn_bench's JSON (run with repetitions) into docs/performance.md's results: a Markdown
table of medians and ratios against the yardstick, the targets of issue 6 (met or not), and an
SVG plot of the ratios. Usage: report.py RESULTS.json RUN.log --svg OUT.svg > results.md"""
import argparse
import json
import re
import statistics
from collections import defaultdict

IMPLS = ["eigen", "ctnn", "libtorch", "dlib"]
NETS = "ABCDE"
WORKLOADS = ["W1", "W1dep", "W2", "W3"]
UNITS = {"W1": "ns/call", "W1dep": "ns/call", "W2": "samples/s", "W3": "us/step"}
COLORS = {"ctnn": "#1f77b4", "libtorch": "#d62728", "dlib": "#2ca02c"}


def load(path):
    """name -> list of per-repetition CPU times (ns) and allocs per iteration."""
    data = json.load(open(path))
    times, allocs = defaultdict(list), defaultdict(list)
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        times[b["run_name"]].append(b["cpu_time"] * scale)
        allocs[b["run_name"]].append(b.get("allocs", 0.0))
    return data["context"], times, allocs


def fmt(w, ns):
    if ns is None:
        return "–"
    if w == "W2":
        return f"{256 / (ns * 1e-9) / 1e6:.2f} M"
    if w == "W3":
        return f"{ns / 1e3:.1f}"
    return f"{ns:.0f}" if ns >= 100 else f"{ns:.1f}"


# The CNN, RNN and streaming workloads of issues 12 and 13: "<model>/<workload>/<impl>".
NN_ROWS = [("CNN1", "W1"), ("CNN1", "W2"), ("CNN1", "W3"), ("CNN2", "W1"), ("CNN2", "W2"), ("CNN2", "W3")] + \
          [(f"{c}{h}", "step") for c in ("GRU", "LSTM") for h in (8, 16, 32, 64)] + \
          [("GRUseq", "W3"), ("LSTMseq", "W3"), ("TCN", "block64")]
NN_UNITS = {"W1": ("ns/sample", 1, 1), "W2": ("us/batch of 64", 1e3, 1), "W3": ("us/step", 1e3, 1),
            "step": ("ns/sample", 1, 1), "block64": ("ns/sample", 1, 64)}


def nn_table(med, allocs, reps, log_lines):
    """Markdown: medians of the CNN/RNN/streaming workloads and their ratios to the yardstick."""
    if not any(f"{m}/{w}/eigen" in med for m, w in NN_ROWS):
        return []
    out = [f"Medians of {reps} repetitions (CPU time; randomly interleaved, one pinned core). `x eigen` is "
           "the time ratio against the hand-written yardstick (below 1: faster than it); `allocs` is heap "
           "allocations per call (yardstick / ctnn).\n",
           "| model | workload | unit | eigen | ctnn | libtorch | dlib | ctnn x eigen | libtorch x eigen | dlib x eigen | allocs |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for m, w in NN_ROWS:
        e = med.get(f"{m}/{w}/eigen")
        if e is None:
            continue
        unit, div, per = NN_UNITS[w]
        row = [m, w, unit]
        for i in IMPLS:
            v = med.get(f"{m}/{w}/{i}")
            row.append("–" if v is None else (f"{v / div / per:.1f}" if v / div / per < 100 else f"{v / div / per:.0f}"))
        for i in ["ctnn", "libtorch", "dlib"]:
            v = med.get(f"{m}/{w}/{i}")
            row.append("–" if v is None else f"{v / e:.2f}")
        al = [allocs.get(f"{m}/{w}/{i}") for i in ("eigen", "ctnn")]
        row.append(" / ".join("–" if not x else f"{max(x):g}" for x in al))
        out.append("| " + " | ".join(row) + " |")
    check = [l for l in log_lines if l.startswith("cross-check (CNN") or
             re.match(r"^\s+(CNN|GRU|LSTM|TCN)[^ ]*/", l)]
    if check:
        out.append("\nCross-check printed by the same run (max abs difference from the yardstick's outputs):\n")
        out += ["```"] + check + ["```"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("log")
    ap.add_argument("--svg")
    ap.add_argument("--nn-only", action="store_true", help="only the CNN/RNN/streaming table (issues 12, 13)")
    a = ap.parse_args()
    context, times, allocs = load(a.json)
    med = {k: statistics.median(v) for k, v in times.items()}
    reps = max((len(v) for v in times.values()), default=0)
    if a.nn_only:
        print("\n".join(nn_table(med, allocs, reps, open(a.log).read().splitlines())))
        return

    def m(w, n, i):
        return med.get(f"{w}/{n}/{i}")

    out = []
    out.append(f"Medians of {reps} repetitions (CPU time per iteration; randomly interleaved runs, one "
               "pinned core). W1/W1dep: ns per single-sample forward (lower is better); W2: samples per "
               "second at batch 256 (higher is better); W3: microseconds per training step at batch 32 "
               "(lower is better). `x eigen` is the time ratio against the hand-written yardstick "
               "(below 1: faster than it); `allocs` is heap allocations per call of ctnn.\n")
    out.append("| workload | net | eigen | ctnn | libtorch | dlib | ctnn x eigen | libtorch x eigen | dlib x eigen | ctnn allocs |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    ratios = []
    for w in WORKLOADS:
        for n in NETS:
            if m(w, n, "eigen") is None:
                continue
            row = [w, n] + [fmt(w, m(w, n, i)) for i in IMPLS]
            for i in ["ctnn", "libtorch", "dlib"]:
                r = m(w, n, i) / m(w, n, "eigen") if m(w, n, i) is not None else None
                row.append("–" if r is None else f"{r:.2f}")
                if r is not None:
                    ratios.append((w, n, i, r))
            al = allocs.get(f"{w}/{n}/ctnn")
            row.append("–" if not al else f"{max(al):g}")
            out.append("| " + " | ".join(row) + " |")
    out.append(f"\nUnits: W1, W1dep ns; W2 million samples/s; W3 us.\n")

    # ---- targets of issue 6 -------------------------------------------------------------------
    t = []

    def verdict(ok):
        return "met" if ok else "**not met**"

    for n in "ABCD":
        for w in ["W1", "W1dep"]:
            c, e = m(w, n, "ctnn"), m(w, n, "eigen")
            if c and e:
                t.append(f"| {w} {n}: ctnn <= 0.85x yardstick | {c / e:.2f}x | {verdict(c / e <= 0.85)} |")
    for n in "AD":
        c, p = m("W2", n, "ctnn"), m("W2", n, "libtorch")
        if c and p:
            t.append(f"| W2 {n}: ctnn >= 1.2x libtorch throughput | {p / c:.2f}x | {verdict(p / c >= 1.2)} |")
    for n in "ABD":
        c, e = m("W3", n, "ctnn"), m("W3", n, "eigen")
        if c and e:
            t.append(f"| W3 {n}: ctnn <= 1.0x yardstick | {c / e:.2f}x | {verdict(c / e <= 1.0)} |")
        for peer in ["libtorch", "dlib"]:
            p = m("W3", n, peer)
            if c and p:
                t.append(f"| W3 {n}: ctnn >= 4x faster than {peer} | {p / c:.1f}x | {verdict(p / c >= 4)} |")
    for w in ["W1", "W3"]:
        worst = max((max(v) for k, v in allocs.items() if k.startswith(w + "/") and k.endswith("/ctnn")), default=None)
        if worst is not None:
            t.append(f"| {w}: no heap allocation in ctnn (after the first call) | {worst:g} per call (worst net) | {verdict(worst == 0)} |")
    out.append("| target (issue 6) | measured | |")
    out.append("|---|---|---|")
    out.extend(t)

    # ---- cross-check lines from the log --------------------------------------------------------
    log = open(a.log).read().splitlines()
    check = [l for l in log if l.startswith("cross-check") or re.match(r"^\s+W\d/[A-E]:", l)]
    sizes = [l[len("sizes: "):] for l in log if l.startswith("sizes: ")]
    if sizes:
        out.append("\nMemory of ctnn's models (printed by the same program):\n")
        out.extend("- " + l for l in sizes)
    if check:
        out.append("\nCross-check printed by the same run (max abs difference from the yardstick's outputs):\n")
        out.append("```")
        out.extend(check)
        out.append("```")
    nn = nn_table(med, allocs, reps, log)
    if nn:
        out.append("\n### CNN, RNN and streaming workloads (issues 12 and 13)\n")
        out.extend(nn)
    print("\n".join(out))
    if a.svg:
        write_svg(a.svg, ratios)


def write_svg(path, ratios):
    """Grouped bars of time ratios against the yardstick, log scale (1 = yardstick)."""
    import math
    groups = [(w, n) for w in WORKLOADS for n in NETS if any(r[0] == w and r[1] == n for r in ratios)]
    impls = ["ctnn", "libtorch", "dlib"]
    lo, hi = 0.1, max([r[3] for r in ratios] + [10])
    hi = 10 ** math.ceil(math.log10(hi))
    W, H, left, top, bottom = 60 + 34 * len(groups), 380, 60, 30, 60
    ph = H - top - bottom

    def y(v):
        v = min(max(v, lo), hi)
        return top + ph * (1 - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)))

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W + 20}" height="{H}" font-family="sans-serif" font-size="11">',
         f'<text x="{left}" y="16" font-size="13">Time relative to the hand-written Eigen yardstick (log scale; lower is faster)</text>']
    e = 0
    while 10 ** e <= hi:
        for k in (1, 2, 5):
            v = k * 10 ** e
            if lo <= v <= hi:
                s.append(f'<line x1="{left}" x2="{W}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{"#888" if v == 1 else "#ddd"}"/>')
                s.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        e += 1
    e = -1
    for k in (1, 2, 5):
        v = k * 10 ** e
        if lo <= v < 1:
            s.append(f'<line x1="{left}" x2="{W}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
            s.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    for gi, (w, n) in enumerate(groups):
        x0 = left + 6 + gi * 34
        for ii, impl in enumerate(impls):
            r = next((r[3] for r in ratios if r[0] == w and r[1] == n and r[2] == impl), None)
            if r is None:
                continue
            yy = y(r)
            base = y(1)
            s.append(f'<rect x="{x0 + ii * 9}" y="{min(yy, base):.1f}" width="8" height="{abs(base - yy):.1f}" fill="{COLORS[impl]}">'
                     f'<title>{w}/{n} {impl}: {r:.2f}x</title></rect>')
        s.append(f'<text x="{x0 + 13}" y="{H - bottom + 14}" text-anchor="middle">{n}</text>')
        if n == next(g[1] for g in groups if g[0] == w):
            s.append(f'<text x="{x0}" y="{H - bottom + 30}">{w}</text>')
    for ii, impl in enumerate(impls):
        s.append(f'<rect x="{left + ii * 90}" y="{H - 18}" width="10" height="10" fill="{COLORS[impl]}"/>'
                 f'<text x="{left + ii * 90 + 14}" y="{H - 9}">{impl}</text>')
    s.append("</svg>")
    open(path, "w").write("\n".join(s) + "\n")


if __name__ == "__main__":
    main()
