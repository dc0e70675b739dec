#!/usr/bin/python3
"""Writes tests/fuzz/corpus/: hand-made safetensors files, valid and malformed, for the
model the fuzz target loads (ctnn::Sequential<Linear<2,3>, Tanh, Linear<3,1>>, PyTorch's
nn.Sequential(nn.Linear(2,3), nn.Tanh(), nn.Linear(3,1))), and corpus/EXPECTED: for each
file, a phrase the ctnn::Error message must contain, or OK when the file loads.

The fuzzer starts from these files; tests/unit/io_test.cpp loads every one of them (strict,
rejecting non-finite values) and checks its message, so the corpus is also a test.
Pure Python (no torch): run `/usr/bin/python3 tests/fuzz/make_corpus.py`.
"""

import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
ARCH = "Sequential(Linear(2,3),Tanh,Linear(3,1))"
SHAPES = {"0.weight": [3, 2], "0.bias": [3], "2.weight": [1, 3], "2.bias": [1]}
PACK = {"F32": "<f", "F64": "<d", "I64": "<q", "I32": "<i"}
SIZE = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I64": 8, "I32": 4}


def encode(dtype, values):
    if dtype == "F16":
        return b"".join(struct.pack("<e", v) for v in values)
    if dtype == "BF16":  # the upper half of the float32 (values here are exact in bf16)
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    return b"".join(struct.pack(PACK[dtype], v) for v in values)


def values(name):
    n = 1
    for d in SHAPES[name]:
        n *= d
    return [((i * 7 + len(name)) % 11 - 5) / 8.0 for i in range(n)]  # exact in every dtype


def tensors_file(entries, metadata=None, pad=True):
    """entries: list of (name, dtype, shape, raw bytes); laid out in order."""
    header, blobs, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    return raw_file(json.dumps(header, separators=(",", ":")), b"".join(blobs), pad=pad)


def raw_file(header_text, data=b"", length=None, pad=True):
    h = header_text.encode("utf-8") if isinstance(header_text, str) else header_text
    if pad:
        h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h) if length is None else length) + h + data


def model_file(dtype="F32", metadata=None, drop=(), extra=(), override=None):
    entries = []
    for name, shape in SHAPES.items():
        if name in drop:
            continue
        v = values(name)
        if override and name in override:
            v = override[name]
        entries.append((name, dtype, shape, encode(dtype, v)))
    entries += list(extra)
    return tensors_file(entries, metadata)


FILES = []


def add(name, data, expected):
    FILES.append((name, data, expected))


def main():
    meta = {"format": "pt", "ctnn.architecture": ARCH, "ctnn.scalar_type": "float32"}
    # valid files: every dtype, with and without metadata
    add("valid_f32.safetensors", model_file("F32", meta), "OK")
    add("valid_f64.safetensors", model_file("F64"), "OK")
    add("valid_f16.safetensors", model_file("F16", {"format": "pt"}), "OK")
    add("valid_bf16.safetensors", model_file("BF16"), "OK")
    # the container
    add("empty.bin", b"", "it has 0 bytes, fewer than the 8 bytes of the header length")
    add("short_length.bin", b"\x10\x00\x00", "it has 3 bytes, fewer than the 8 bytes")
    add("header_too_long.bin", raw_file("{}", length=1000), "the header length says 1000 bytes but only 8 bytes follow")
    add("header_length_huge.bin", raw_file("{}", length=2 ** 63), "the header length says 9223372036854775808 bytes")
    add("header_not_object.bin", raw_file("[1, 2]"), "the header must be a JSON object starting with '{'")
    add("header_empty.bin", raw_file("", pad=False), "found an empty header")
    add("malformed_json.bin", raw_file('{"0.weight": {"dtype": "F32",'), "the JSON header is malformed")
    add("invalid_utf8.bin", raw_file(b'{"0.w\xff\xfe":{}}'), "the JSON header is malformed")
    add("trailing_garbage.bin", raw_file('{} {}'), "the JSON header is malformed")
    add("duplicate_key.bin", raw_file('{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{}}', b"\0" * 4),
        "has the key 'a' twice")
    add("deep_nesting.bin", raw_file('{"a":' + "[" * 200 + "]" * 200 + "}"), "nests deeper than the format allows")
    # entries
    add("entry_not_object.bin", raw_file('{"0.bias":[1,2,3]}'), "tensor '0.bias': the entry must be an object")
    add("missing_field.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[3]}}'), "the entry has no 'data_offsets'")
    add("unknown_field.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"x":1}}'),
        "unknown field 'x'")
    add("dtype_not_string.bin", raw_file('{"0.bias":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}', b"\0" * 4),
        "dtype must be a string, found 7")
    add("unknown_dtype.bin", raw_file('{"0.bias":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}', b"\0" * 4),
        "unknown dtype 'F31'")
    add("shape_not_array.bin", raw_file('{"0.bias":{"dtype":"F32","shape":3,"data_offsets":[0,12]}}', b"\0" * 12),
        "shape must be an array")
    add("negative_shape.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[-3],"data_offsets":[0,12]}}', b"\0" * 12),
        "shape must hold non-negative integers, found -3")
    add("float_shape.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[3.0],"data_offsets":[0,12]}}', b"\0" * 12),
        "shape must hold non-negative integers, found 3.0")
    add("shape_overflow.bin",
        raw_file('{"0.bias":{"dtype":"F64","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}', b"\0" * 8),
        "more elements than memory can hold")
    add("bytes_overflow.bin",
        raw_file('{"0.bias":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}}', b"\0" * 8),
        "more bytes than memory can hold")
    add("offsets_not_pair.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[0]}}', b"\0" * 4),
        "data_offsets must be an array [begin, end]")
    add("offsets_negative.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}', b"\0" * 4),
        "data_offsets must hold non-negative integers")
    add("offsets_reversed.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', b"\0" * 4),
        "end before they begin")
    add("offsets_past_end.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}', b"\0" * 8),
        "reach past the end of the data (8 bytes; truncated file?)")
    add("offsets_huge.bin",
        raw_file('{"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[18446744073709551612,18446744073709551624]}}'),
        "data_offsets")
    add("size_mismatch.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', b"\0" * 8),
        "span 8 bytes, but F32 (3) needs 12")
    add("overlap.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},'
                                '"2.bias":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', b"\0" * 12),
        "overlaps that of tensor")
    add("hole.bin", raw_file('{"0.bias":{"dtype":"F32","shape":[3],"data_offsets":[4,16]}}', b"\0" * 16),
        "the bytes [0, 4) of the data belong to no tensor")
    add("trailing_bytes.bin", model_file("F32") + b"\0\0\0\0", "the last 4 bytes of the data belong to no tensor")
    add("truncated_data.bin", model_file("F32")[:-5], "reach past the end of the data")
    add("metadata_not_object.bin", raw_file('{"__metadata__":[1]}'), "'__metadata__' must be an object of strings")
    add("metadata_not_string.bin", raw_file('{"__metadata__":{"k":null}}'), "'__metadata__' entry 'k' must be a string")
    # well-formed files that do not fit the model
    add("missing_tensor.safetensors", model_file("F32", drop=("2.bias",)), "missing tensors (the model expects them): '2.bias'")
    add("unexpected_tensor.safetensors", model_file("F32", extra=[("3.weight", "F32", [1], encode("F32", [1.0]))]),
        "unexpected tensors (the model has no such entry): '3.weight'")
    add("wrong_shape.safetensors", tensors_file([(n, "F32", list(reversed(s)), encode("F32", values(n)))
                                                 for n, s in SHAPES.items()]),
        "tensor '0.weight': expected shape (3, 2), found (2, 3)")
    add("rank5.safetensors", tensors_file([(n, "F32", [3, 1, 1, 1, 2] if n == "0.weight" else s, encode("F32", values(n)))
                                           for n, s in SHAPES.items()]),
        "tensor '0.weight': expected shape (3, 2), found (3, 1, 1, 1, 2)")
    add("wrong_dtype.safetensors", tensors_file([(n, "I64", s, encode("I64", [1] * len(values(n))))
                                                 for n, s in SHAPES.items()]),
        "expected a floating-point dtype (F16, BF16, F32 or F64), found I64")
    add("wrong_dtype_u8.safetensors", tensors_file([(n, "U8", s, bytes(len(values(n)))) for n, s in SHAPES.items()]),
        "found U8")
    add("wrong_architecture.safetensors",
        model_file("F32", dict(meta, **{"ctnn.architecture": "Sequential(Linear(2,3),ReLU,Linear(3,1))"})),
        "the file was written for another architecture")
    add("non_finite.safetensors", model_file("F32", override={"0.bias": [0.5, math.nan, 1.0]}),
        "tensor '0.bias': element 1 is nan")
    add("infinite.safetensors", model_file("F64", override={"2.weight": [0.0, 0.0, -math.inf]}),
        "tensor '2.weight': element (0, 2) is -inf")
    add("float_overflow.safetensors", model_file("F64", override={"0.bias": [0.0, 1e300, 0.0]}),
        "element 1 is 1e+300, which float32 cannot hold")

    os.makedirs(CORPUS, exist_ok=True)
    for f in os.listdir(CORPUS):
        os.remove(os.path.join(CORPUS, f))
    lines = ["# <file> <phrase the ctnn::Error must contain> | OK (written by make_corpus.py)"]
    for name, data, expected in FILES:
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)
        lines.append("%s %s" % (name, expected))
    with open(os.path.join(CORPUS, "EXPECTED"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d files to %s" % (len(FILES), os.path.relpath(CORPUS)))


if __name__ == "__main__":
    main()
