"""What the client conformance scripts share: how a check fails, the Fashion-MNIST test images and the reference logits
they are compared with, and what MixedGraph computes.

Imported by ccore_client_conformance.py (gRPC, C-core) and http_client_conformance.py (HTTP/1.1, Python's standard
library); Python puts the folder of the script it runs on sys.path, so they find it beside them. Standard library
only.
"""

import gzip
import json
import os
import struct

CLASSES = 10
PIXELS = 28 * 28
LOGIT_TOLERANCE = 1e-5

# The struct format of each fixed-size datatype, as numpy's dtype of it (tritonclient/utils triton_to_np_dtype).
STRUCT_FORMATS = {"BOOL": "?", "UINT8": "B", "UINT16": "H", "UINT32": "I", "UINT64": "Q", "INT8": "b", "INT16": "h",
                  "INT32": "i", "INT64": "q", "FP16": "e", "FP32": "f", "FP64": "d"}


class Failure(Exception):
    """A check that did not hold."""


class CheckLog:
    """Which check runs and how many held: each check is named before its calls, so that a failure reports it, and
    prints one line "ok: CHECK: what held" when it holds."""

    def __init__(self):
        self.passed = 0
        self.current = "setup"

    def check(self, name):
        """Names the check the next calls belong to; a failure reports it."""
        self.current = name

    def ok(self, what):
        self.passed += 1
        print(f"ok: {self.current}: {what}", flush=True)


def require(condition, message):
    if not condition:
        raise Failure(message)


def read_idx(path, magic, header):
    with gzip.open(path, "rb") as f:
        data = f.read()
    found = struct.unpack_from(">I", data, 0)[0]
    require(found == magic, f"{path} is not an IDX file of magic {magic} (found {found})")
    return data[header:]


def read_test_images(data_dir, count):
    """The first count Fashion-MNIST test images, as count lists of 784 pixel/255 values (NCHW, C = 1)."""
    pixels = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"), 2051, 16)
    return [[b / 255.0 for b in pixels[i * PIXELS:(i + 1) * PIXELS]] for i in range(count)]


def read_test_labels(data_dir, count):
    return list(read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz"), 2049, 8)[:count])


def read_logits(path, count):
    """The reference logits: count x 10 little-endian float32, from ONNX Runtime run in-process by the JUnit test."""
    with open(path, "rb") as f:
        data = f.read()
    require(len(data) == count * CLASSES * 4, f"{path} has {len(data)} bytes, expected {count * CLASSES * 4}")
    values = struct.unpack(f"<{count * CLASSES}f", data)
    return [list(values[i * CLASSES:(i + 1) * CLASSES]) for i in range(count)]


def raw_fp32(images):
    """images as numpy's float32 tobytes() writes them on x86: little-endian, flat."""
    return struct.pack(f"<{len(images) * PIXELS}f", *(p for image in images for p in image))


def argmax(values):
    return max(range(len(values)), key=values.__getitem__)


def require_logits(what, actual, expected):
    """Each row of actual within LOGIT_TOLERANCE of the same row of expected."""
    require(len(actual) == len(expected), f"{what}: {len(actual)} rows of logits, expected {len(expected)}")
    for row, (a, e) in enumerate(zip(actual, expected)):
        difference = max(abs(x - y) for x, y in zip(a, e))
        require(difference <= LOGIT_TOLERANCE,
                f"{what}: image {row} differs from ONNX Runtime by {difference:.3g} (> {LOGIT_TOLERANCE}):"
                f" {a} vs {e}")


def rows(values):
    return [list(values[i:i + CLASSES]) for i in range(0, len(values), CLASSES)]


def length_prefixed_strings(raw):
    """BYTES as binary data (gRPC's raw contents, HTTP's binary tensor data): each element a 4-byte little-endian
    length, then that many bytes."""
    strings = []
    offset = 0
    while offset < len(raw):
        (length,) = struct.unpack_from("<I", raw, offset)
        offset += 4
        require(offset + length <= len(raw), f"BYTES element of {length} bytes runs past the end at {offset}")
        strings.append(raw[offset:offset + length])
        offset += length
    return strings


def json_file(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def float32(value):
    """value rounded to float32, as ONNX Runtime's Cast and Add compute (exact for the values the scripts send);
    NaN and the infinities stay what they are."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


def mixed_graph_outputs(a, b, s, m):
    """What MixedGraph.java computes, flat, by output name: sum = float(a) + b (FP32), positive = sum > 0 (BOOL, false
    for NaN), same = s (BYTES) and kept = a where m, else 0 (INT64)."""
    total = [float32(float32(x) + y) for x, y in zip(a, b)]
    return {"sum": total, "positive": [v > 0 for v in total], "same": list(s),
            "kept": [x if keep else 0 for x, keep in zip(a, m)]}
