"""A stand-in for `safetensors.torch` (save_file, load_file) for PyTorch installs that lack
the safetensors package, such as Debian 12's python3-torch 1.13. Same functions, same files:
an 8-byte little-endian header length, a JSON header, then each tensor's raw little-endian,
row-major bytes. With the real package installed, use it; ctnn reads and writes either.

    from safetensors_torch import save_file, load_file
    save_file(model.state_dict(), "net.safetensors", metadata={"format": "pt"})
    model.load_state_dict(load_file("net.safetensors"), strict=True)
"""

import json
import struct
import sys

import torch

_DTYPES = {
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float32: "F32",
    torch.float64: "F64",
    torch.int32: "I32",
    torch.int64: "I64",
}
_FROM_NAME = {name: dtype for dtype, name in _DTYPES.items()}
_SIZES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I32": 4, "I64": 8}

assert sys.byteorder == "little", "this stand-in writes the machine's byte order, which must be little-endian"


def _raw_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)  # numpy has no bfloat16; same bytes
    return t.numpy().tobytes()


def save_file(tensors, filename, metadata=None):
    """Writes a dict name -> tensor as safetensors (widest dtype first, then by name, as
    the reference implementation orders them)."""
    order = sorted(tensors.items(), key=lambda kv: (-_SIZES[_DTYPES[kv[1].dtype]], kv[0]))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in order:
        data = _raw_bytes(t)
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(filename, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def load_metadata(filename):
    """The file's __metadata__ dict (empty if none)."""
    with open(filename, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n)).get("__metadata__", {})


def load_file(filename):
    """Reads a safetensors file into a dict name -> tensor."""
    with open(filename, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = _FROM_NAME[info["dtype"]]
        chunk = bytearray(data[begin:end])
        if dtype in (torch.float16, torch.bfloat16):
            t = torch.frombuffer(chunk, dtype=torch.int16).view(dtype) if chunk else torch.empty(0, dtype=dtype)
        else:
            t = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out
