#!/usr/bin/python3
"""Speaks Triton's HTTP/REST inference protocol through Python's own HTTP/1.1 client and JSON, as tritonclient.http
puts it on the wire.

Every other HTTP test of the server is a Java client or a byte replay written with the server; this script is an
HTTP/1.1 and JSON implementation the project did not write (http.client, json), run by
PythonHttpClientConformanceTest against the real server, all on one keep-alive connection as tritonclient's pooled
connections use them. Standard library only (http.client, json, struct, gzip, zlib): Debian's python3 is enough.

tritonclient.http's wire format, from triton-inference-server/client at commit 58a44caa0dce77303115302e6dbdf64626b2b093,
src/python/library/tritonclient/http/:
- _client.py: is_server_live (lines 340-369), is_server_ready (371-399) and is_model_ready (401-445) GET
  v2/health/live, v2/health/ready and v2/models/{m}[/versions/{v}]/ready and return status_code == 200, reading no
  body; get_server_metadata (447-480), get_model_metadata (482-531) and get_model_config (533-580) GET v2,
  v2/models/{m} and v2/models/{m}/config, raise on a status other than 200 and return json.loads of the body.
- _utils.py _get_error (lines 36-57): a status other than 200 is an error whose message is the body's "error".
- _utils.py _get_inference_request (90-151): {"id"? , "inputs": [...], "outputs"?: [...], "parameters"?: {...}} by
  rapidjson.dumps (compact); no outputs named sets parameters "binary_data_output": true (115-122); then each input's
  binary data in input order after the JSON, and json_size = len(request_json).
- _infer_input.py set_data_from_numpy (106-214): by default the data is binary, numpy's tobytes(), announced as
  parameters "binary_data_size"; with binary_data=False it is "data", the values flat (196); _get_tensor (254-272):
  name, shape, datatype, parameters.
- _requested_output.py (51-57, 106-117): {"name", "parameters": {"binary_data": binary_data}}, True by default.
- _client.py infer (1428-1484): request_compression_algorithm "gzip" sets Content-Encoding: gzip on
  gzip.compress(body), "deflate" on zlib.compress(body); response_compression_algorithm sets Accept-Encoding; the
  header Inference-Header-Content-Length: json_size when an input is binary; POST v2/models/{m}/infer.
- _infer_result.py InferResult (54-106): decompresses the whole body when Content-Encoding is gzip or deflate, then
  reads Inference-Header-Content-Length bytes of JSON and takes the rest as the outputs' binary data, each output
  with parameters "binary_data_size" in the order of "outputs"; as_numpy (157-209) reads that slice, or "data".

KServe's Python SDK (kserve) InferenceRESTClient with RESTConfig(protocol="v2"), from kserve/kserve at commit
0217bdabaaa250485b336805da1aed04960dc758, python/kserve/kserve/:
- inference_client.py: is_server_live and is_server_ready GET v2/health/live and v2/health/ready and return the
  body's "live" and "ready" (a body without them is False, one that is not JSON an exception); is_model_ready returns
  whether the status is 2xx. infer POSTs v2/models/{m}/infer with httpx: a dict request as orjson.dumps (compact)
  with no Content-Type; a binary one with "inference-header-content-length" and Content-Type
  application/octet-stream. The answer: json_length is its inference-header-content-length or the whole body, read
  by InferResponse.from_bytes; a status that is not 2xx raises HTTPStatusError with the body's "error", read only
  where the Content-Type is exactly application/json. httpx asks for gzip and deflate (br and zstd where installed) and decodes the body.
- protocol/infer_type.py: InferRequest.to_rest writes {"id": the id or a uuid4, "model_name", "inputs", "outputs"?,
  "parameters"?}, each input {"name", "shape", "datatype", "parameters"?, "data"?}; an input whose data is a numpy
  array is sent in "data"; set_data_from_numpy(array), binary by default, sends its bytes after the JSON with
  parameters "binary_data_size". RequestedOutput(name, {"binary_data": True}) is {"name", "parameters"}.
  InferResponse.from_bytes reads "model_name" (required), then each output's binary_data_size bytes in order, or its
  "data" (an output with neither is an error).

It prints one line per check ("ok: CHECK: what held") and stops at the first failure with a line starting "FAIL" and
exit status 1. Its last lines say how many requests went over the one connection and count the checks.
"""

import argparse
import gzip
import http.client
import json
import math
import os
import struct
import sys
import zlib

from client_conformance import (CLASSES, CheckLog, STRUCT_FORMATS, Failure, json_file, length_prefixed_strings,
                                mixed_graph_outputs, raw_fp32, read_logits, read_test_images, require, require_logits,
                                rows)

INFERENCE_HEADER_CONTENT_LENGTH = "Inference-Header-Content-Length"
COMPRESSORS = {"gzip": gzip.compress, "deflate": zlib.compress}
DECOMPRESSORS = {"gzip": gzip.decompress, "deflate": zlib.decompress}


class Client(CheckLog):
    """One HTTP/1.1 connection, kept alive across every request of the script, which check runs and how many held."""

    def __init__(self, host, port):
        super().__init__()
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.connection.connect()
        # http.client opens a new socket by itself when a response closed the old one: only this one may serve.
        self.socket = self.connection.sock
        self.requests = 0

    def request(self, method, path, body=None, headers=None):
        """Sends one request and reads its whole answer: (status, headers, body). The connection must stay open."""
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        body = response.read()
        self.requests += 1
        require(not response.will_close and self.connection.sock is self.socket,
                f"{method} {path} answered {response.status} and closed the connection (Connection:"
                f" {response.getheader('Connection')}); tritonclient's pool would reconnect for every such request")
        return response.status, response.headers, body

    def get_json(self, path):
        """GET as tritonclient's get_* methods: status 200 and a JSON body."""
        status, _, body = self.request("GET", path)
        require(status == 200, f"GET {path}: status {status}, expected 200: {body[:300]!r}")
        return json.loads(body)

    def expect_error(self, method, path, statuses, body=None, headers=None):
        """A request that must fail with one of statuses and {"error": "..."}, as _get_error reads it: (the status,
        the message)."""
        status, _, answer = self.request(method, path, body, headers)
        require(status in statuses, f"{method} {path}: status {status}, expected one of {statuses}: {answer[:300]!r}")
        error = json.loads(answer)
        require(isinstance(error, dict) and isinstance(error.get("error"), str) and error["error"],
                f"{method} {path}: body {answer[:300]!r} is not {{\"error\": \"...\"}}")
        return status, error["error"]


def compact_json(value):
    """json.dumps as rapidjson.dumps writes it by default: no spaces; NaN, Infinity and -Infinity as they are."""
    return json.dumps(value, separators=(",", ":"))


def infer_request(inputs, outputs, request_id=""):
    """tritonclient.http's infer body and headers (_get_inference_request): inputs are (tensor, bytes) pairs of
    binary_input or json_input, outputs (name, binary_data) pairs or None for every output as binary data."""
    request = {}
    if request_id:
        request["id"] = request_id
    request["inputs"] = [tensor for tensor, _ in inputs]
    if outputs:
        request["outputs"] = [{"name": name, "parameters": {"binary_data": binary}} for name, binary in outputs]
    else:
        request["parameters"] = {"binary_data_output": True}
    request_json = compact_json(request)
    binary = [raw for _, raw in inputs if raw is not None]
    if not binary:
        return request_json.encode(), {}
    return request_json.encode() + b"".join(binary), {INFERENCE_HEADER_CONTENT_LENGTH: str(len(request_json))}


def binary_input(name, shape, datatype, raw):
    """InferInput(name, shape, datatype).set_data_from_numpy(array): its tensor and its bytes."""
    return {"name": name, "shape": shape, "datatype": datatype, "parameters": {"binary_data_size": len(raw)}}, raw


def json_input(name, shape, datatype, values):
    """InferInput(name, shape, datatype).set_data_from_numpy(array, binary_data=False): the values in the JSON."""
    return {"name": name, "shape": shape, "datatype": datatype, "data": values}, None


def decoded(headers, body):
    """The body decoded from its Content-Encoding, as tritonclient's InferResult and httpx decode it."""
    coding = headers.get("Content-Encoding")
    if coding is None:
        return body
    require(coding in DECOMPRESSORS, f"answered with Content-Encoding {coding!r}, which the clients do not decode")
    return DECOMPRESSORS[coding](body)


def infer_result(headers, body):
    """InferResult of an answer: (its JSON, {output name: flat values}) as as_numpy reads them; KServe's
    InferResponse.from_bytes reads an answer the same way."""
    body = decoded(headers, body)
    header_length = headers.get(INFERENCE_HEADER_CONTENT_LENGTH)
    if header_length is None:
        result = json.loads(body)
        buffer = b""
    else:
        result = json.loads(body[:int(header_length)])
        buffer = body[int(header_length):]
    values = {}
    offset = 0
    for output in result["outputs"]:
        size = output.get("parameters", {}).get("binary_data_size")
        if size is None:
            require("data" in output, f"output {output['name']} has neither binary_data_size nor data")
            values[output["name"]] = output["data"]
            continue
        require(offset + size <= len(buffer), f"output {output['name']}: binary_data_size {size} runs past the"
                                              f" {len(buffer)} bytes after the JSON")
        data = buffer[offset:offset + size]
        offset += size
        elements = math.prod(output["shape"])
        if output["datatype"] == "BYTES":
            values[output["name"]] = length_prefixed_strings(data)
        else:
            require(output["datatype"] in STRUCT_FORMATS, f"output {output['name']} datatype {output['datatype']}")
            struct_format = f"<{elements}{STRUCT_FORMATS[output['datatype']]}"
            require(size == struct.calcsize(struct_format), f"output {output['name']}: binary_data_size {size} for"
                                                            f" shape {output['shape']} of {output['datatype']}")
            values[output["name"]] = list(struct.unpack(struct_format, data))
        require(len(values[output["name"]]) == elements,
                f"output {output['name']}: {len(values[output['name']])} values for shape {output['shape']}")
    require(offset == len(buffer), f"{len(buffer)} bytes of binary data after the JSON, the outputs announce {offset}")
    return result, values


def same_values(actual, expected):
    """Equal, NaN equal to NaN (IEEE's NaN is unequal even to itself)."""
    return len(actual) == len(expected) and all(
        a == e or (isinstance(a, float) and isinstance(e, float) and math.isnan(a) and math.isnan(e))
        for a, e in zip(actual, expected))


class Checks:
    """The checks, in the order they run."""

    def __init__(self, c, args):
        self.c = c
        self.model = args.model
        self.mixed_model = args.mixed_model
        self.manifest = json_file(os.path.join(args.repository, args.model, "1", "model.json"))
        self.input = self.manifest["input"]["name"]
        self.output = self.manifest["output"]["name"]
        self.images = read_test_images(args.data, args.images)
        self.expected = read_logits(args.expected, args.images)

    def run(self):
        self.health()
        self.server_metadata()
        self.model_metadata()
        self.model_config()
        self.infer_json()
        self.infer_binary()
        self.infer_compressed()
        self.kserve_rest()
        self.non_finite()
        self.errors()

    def health(self):
        c = self.c
        for path in ("/v2/health/live", "/v2/health/ready"):
            c.check(f"GET {path}")
            status, _, body = c.request("GET", path)
            require(status == 200, f"status {status}: {body[:300]!r}")
            c.ok("200")

    def server_metadata(self):
        c = self.c
        c.check("GET /v2")
        metadata = c.get_json("/v2")
        require(metadata.get("name") == "shallowserve" and metadata.get("version"),
                f"name/version {metadata.get('name')!r} {metadata.get('version')!r}")
        extensions = set(metadata.get("extensions", []))
        require({"binary_tensor_data", "classification", "model_configuration", "model_repository",
                 "statistics"} <= extensions, f"extensions {sorted(extensions)}")
        c.ok(f"{metadata['name']} {metadata['version']}, extensions {sorted(extensions)}")

    def model_metadata(self):
        c = self.c
        c.check(f"GET /v2/models/{self.model}")
        metadata = c.get_json(f"/v2/models/{self.model}")
        require(metadata["name"] == self.model and "1" in metadata["versions"]
                and metadata["platform"] == "onnxruntime_onnx",
                f"{metadata['name']} {metadata['versions']} {metadata['platform']}")
        for tensors, declared in ((metadata["inputs"], self.manifest["input"]),
                                  (metadata["outputs"], self.manifest["output"])):
            require([{k: t[k] for k in ("name", "datatype", "shape")} for t in tensors] == [
                {k: declared[k] for k in ("name", "datatype", "shape")}], f"tensors {tensors} are not {declared}")
        c.ok(f"{metadata['platform']}: {self.input} {metadata['inputs'][0]['shape']} -> {self.output}"
             f" {metadata['outputs'][0]['shape']}")

        c.check(f"GET /v2/models/{self.model}/ready")
        for path in (f"/v2/models/{self.model}/ready", f"/v2/models/{self.model}/versions/1/ready"):
            status, _, body = c.request("GET", path)
            require(status == 200, f"GET {path}: status {status}: {body[:300]!r}")
        c.ok("200, as version 1 too")

    def model_config(self):
        """The configuration as tritonclient's get_model_config returns it and perf_analyzer reads it."""
        c = self.c
        c.check(f"GET /v2/models/{self.model}/config")
        config = c.get_json(f"/v2/models/{self.model}/config")
        require(config["name"] == self.model and config["platform"] == "onnxruntime_onnx"
                and config["backend"] == "onnxruntime", f"{config['name']} {config['platform']} {config['backend']}")
        require(isinstance(config["max_batch_size"], int) and config["max_batch_size"] > 0,
                f"max_batch_size {config['max_batch_size']!r}")
        for tensors, declared in ((config["input"], self.manifest["input"]),
                                  (config["output"], self.manifest["output"])):
            # Triton's dims leave the batch dimension out when max_batch_size > 0, and are JSON numbers.
            found = [[t["name"], t["data_type"], t["dims"]] for t in tensors]
            require(found == [[declared["name"], "TYPE_" + declared["datatype"], declared["shape"][1:]]],
                    f"tensors {found}, model.json declares {declared}")
        c.ok(f"max_batch_size {config['max_batch_size']}, input dims {config['input'][0]['dims']}, output dims"
             f" {config['output'][0]['dims']}")

    def infer_path(self, model=None):
        return f"/v2/models/{model or self.model}/infer"

    def infer_logits(self, first, count, body, headers):
        """POSTs an infer request of images [first, first + count) and checks the logits against ONNX Runtime;
        returns the answer's headers."""
        status, answer_headers, answer = self.c.request("POST", self.infer_path(), body, headers)
        require(status == 200, f"status {status}: {answer[:300]!r}")
        result, values = infer_result(answer_headers, answer)
        require(result["model_name"] == self.model and result["model_version"] == "1",
                f"model_name {result['model_name']!r}, model_version {result['model_version']!r}")
        require(len(result["outputs"]) == 1, f"outputs {[o['name'] for o in result['outputs']]}")
        output = result["outputs"][0]
        require(output["name"] == self.output and output["datatype"] == "FP32"
                and output["shape"] == [count, CLASSES], f"output {output['name']} {output['datatype']}"
                                                         f" {output['shape']}")
        require_logits("logits", rows(values[self.output]), self.expected[first:first + count])
        return answer_headers, output

    def infer_json(self):
        """The Open Inference Protocol's JSON alone, as any KServe v2 client sends it: the answer is JSON too."""
        c = self.c
        for first, count in ((0, 1), (16, 16)):
            c.check(f"POST {self.infer_path()} JSON, batch {count}")
            request_id = f"json-{count}"
            body = json.dumps({"id": request_id, "inputs": [{
                "name": self.input, "shape": [count, 1, 28, 28], "datatype": "FP32",
                "data": [p for image in self.images[first:first + count] for p in image]}]}).encode()
            status, headers, answer = c.request("POST", self.infer_path(), body,
                                                {"Content-Type": "application/json"})
            require(status == 200, f"status {status}: {answer[:300]!r}")
            require(headers.get(INFERENCE_HEADER_CONTENT_LENGTH) is None,
                    f"{INFERENCE_HEADER_CONTENT_LENGTH} in an answer without binary data")
            result = json.loads(answer)
            require(result.get("id") == request_id, f"id {result.get('id')!r}, expected {request_id!r}")
            require(result["model_name"] == self.model and result["model_version"] == "1",
                    f"model_name {result['model_name']!r}, model_version {result['model_version']!r}")
            output = result["outputs"][0]
            require(len(result["outputs"]) == 1 and output["name"] == self.output and output["datatype"] == "FP32"
                    and output["shape"] == [count, CLASSES] and "parameters" not in output,
                    f"outputs {[{k: v for k, v in o.items() if k != 'data'} for o in result['outputs']]}")
            require_logits("logits", rows(output["data"]), self.expected[first:first + count])
            c.ok(f"{len(body)} bytes of JSON in; json.loads of the answer: logits within 1e-5 of ONNX Runtime")

    def tritonclient_images(self, first, count, request_id=""):
        """client.infer(model, [InferInput(input, [n, 1, 28, 28], "FP32").set_data_from_numpy(images)]): binary
        input, no outputs named."""
        return infer_request([binary_input(self.input, [count, 1, 28, 28], "FP32",
                                           raw_fp32(self.images[first:first + count]))], None, request_id)

    def require_binary_answer(self, headers, output):
        require(headers.get(INFERENCE_HEADER_CONTENT_LENGTH) is not None, f"no {INFERENCE_HEADER_CONTENT_LENGTH}")
        require("data" not in output and "binary_data_size" in output.get("parameters", {}),
                f"output {output} is not binary data, as binary_data_output asks")

    def infer_binary(self):
        """As tritonclient.http sends an infer by default; 32 images are over the 64 KiB the server parses on the
        request's own thread."""
        c = self.c
        for first, count in ((0, 1), (0, 32)):
            c.check(f"POST {self.infer_path()} as tritonclient.http sends it, batch {count}")
            body, headers = self.tritonclient_images(first, count, request_id=f"binary-{count}")
            answer_headers, output = self.infer_logits(first, count, body, headers)
            self.require_binary_answer(answer_headers, output)
            c.ok(f"{len(body)} bytes in, {INFERENCE_HEADER_CONTENT_LENGTH} {headers[INFERENCE_HEADER_CONTENT_LENGTH]};"
                 f" binary logits within 1e-5 of ONNX Runtime")

    def infer_compressed(self):
        """infer(..., request_compression_algorithm=coding, response_compression_algorithm=coding)."""
        c = self.c
        for coding in ("gzip", "deflate"):
            c.check(f"POST {self.infer_path()} as tritonclient.http sends it, {coding} both ways, batch 8")
            body, headers = self.tritonclient_images(8, 8)
            compressed = COMPRESSORS[coding](body)
            headers = {"Content-Encoding": coding, "Accept-Encoding": coding, **headers}
            answer_headers, output = self.infer_logits(8, 8, compressed, headers)
            require(answer_headers.get("Content-Encoding") == coding,
                    f"answered with Content-Encoding {answer_headers.get('Content-Encoding')!r}, asked for {coding}")
            self.require_binary_answer(answer_headers, output)
            c.ok(f"{len(body)} bytes sent as {len(compressed)}, the answer {coding}: logits within 1e-5 of ONNX"
                 f" Runtime")

    def kserve_rest(self):
        """KServe's InferenceRESTClient (protocol v2) as its source puts requests on the wire and reads the answers:
        health read from the JSON bodies, an image as a numpy array in "data", and set_data_from_numpy's binary
        input with the logits asked for as binary data; httpx's headers, no Content-Type on JSON."""
        c = self.c
        httpx_headers = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate, br, zstd",
                         "User-Agent": "python-httpx/0.28.1"}
        c.check("KServe InferenceRESTClient health")
        for path, field in (("/v2/health/live", "live"), ("/v2/health/ready", "ready")):
            status, headers, body = c.request("GET", path, headers=httpx_headers)
            body = decoded(headers, body)
            require(status == 200 and json.loads(body).get(field) is True,
                    f"GET {path}: {status} {body[:300]!r}, KServe reads {field!r}: true from the body")
        status, _, body = c.request("GET", f"/v2/models/{self.model}/ready", headers=httpx_headers)
        require(200 <= status < 300, f"model ready: {status} {body[:300]!r}")
        c.ok("live and ready true in the bodies, the model ready 2xx")

        for form in ("numpy data", "set_data_from_numpy, binary logits"):
            c.check(f"KServe InferenceRESTClient infer, {form}")
            tensor = {"name": self.input, "shape": [2, 1, 28, 28], "datatype": "FP32"}
            request = {"id": "2b1f3f8e-5a7c-4b0e-9d7e-6f1c2a3b4c5d", "model_name": self.model, "inputs": [tensor]}
            headers = dict(httpx_headers)
            if form == "numpy data":
                tensor["data"] = [p for image in self.images[4:6] for p in image]
                body = compact_json(request).encode()
            else:
                raw = raw_fp32(self.images[4:6])
                tensor["parameters"] = {"binary_data_size": len(raw)}
                request["outputs"] = [{"name": self.output, "parameters": {"binary_data": True}}]
                request_json = compact_json(request).encode()
                body = request_json + raw
                headers.update({"inference-header-content-length": str(len(request_json)),
                                "content-type": "application/octet-stream"})
            status, answer_headers, answer = c.request("POST", self.infer_path(), body, headers)
            require(status == 200, f"status {status}: {answer[:300]!r}")
            result, values = infer_result(answer_headers, answer)
            require(result["model_name"] == self.model and result.get("id") == request["id"],
                    f"model_name {result.get('model_name')!r}, id {result.get('id')!r}")
            output = result["outputs"][0]
            require((form == "numpy data") == ("data" in output), f"output {output.keys()} for {form}")
            require_logits("logits", rows(values[self.output]), self.expected[4:6])
            c.ok(f"{len(body)} bytes in, answered {answer_headers.get('Content-Encoding') or 'uncompressed'}:"
                 f" logits within 1e-5 of ONNX Runtime")

        c.check("KServe InferenceRESTClient error")
        status, headers, answer = c.request("POST", self.infer_path("no-such-model"), body, headers)
        answer = decoded(headers, answer)
        # _construct_http_status_error reads "error" only where the Content-Type is exactly application/json.
        require(status >= 400 and headers.get("content-type") == "application/json",
                f"status {status}, Content-Type {headers.get('content-type')!r}")
        message = json.loads(answer)["error"]
        require("no-such-model" in message, f"the error {message!r} does not name the model")
        c.ok(f"{status}, Content-Type application/json, error {message!r}")

    def non_finite(self):
        """Python's json.dumps writes NaN, Infinity and -Infinity for float('nan'), float('inf'), float('-inf'), as
        rapidjson does for tritonclient; Triton reads and writes them so. MixedGraph's sum = float(a) + b must carry
        them through IEEE arithmetic, and positive = sum > 0 is false for NaN."""
        c = self.c
        a = [1, -2, 3, 4, 5, 6]
        b = [float("nan"), float("inf"), float("-inf"), -4.0, 0.5, -float("inf")]
        s = ["x", "y", "z"]
        m = [True, False, True, True, False, True]
        expected = mixed_graph_outputs(a, b, [text.encode() for text in s], m)
        inputs = [json_input("a", [3, 2], "INT64", a), json_input("b", [3, 2], "FP32", b),
                  json_input("s", [3, 1], "BYTES", s), json_input("m", [3, 2], "BOOL", m)]
        names = ["sum", "positive", "same", "kept"]
        path = self.infer_path(self.mixed_model)
        for form, outputs in (("JSON outputs", [(name, False) for name in names]), ("binary outputs", None)):
            c.check(f"POST {path} JSON NaN and infinities, {form}")
            body, headers = infer_request(inputs, outputs)
            require(b"NaN" in body and b"-Infinity" in body, f"json.dumps wrote {body!r}")
            status, answer_headers, answer = c.request("POST", path, body, headers)
            require(status == 200, f"status {status}: {answer[:300]!r}")
            result, values = infer_result(answer_headers, answer)
            require([o["name"] for o in result["outputs"]] == names, f"outputs {result['outputs']}")
            if outputs is not None:
                require(b"NaN" in answer and b"-Infinity" in answer, f"the answer has no NaN or -Infinity: {answer!r}")
            values["same"] = [v.encode() if isinstance(v, str) else v for v in values["same"]]
            for name in names:
                require(same_values(values[name], expected[name]),
                        f"output {name} {values[name]}, IEEE arithmetic gives {expected[name]}")
            c.ok(f"sum {values['sum']}, positive {values['positive']}")

    def errors(self):
        """Errors a client sees, each answered on the same connection (Client.request requires it)."""
        c = self.c
        c.check("unknown model")
        body, headers = self.tritonclient_images(0, 1)
        errors = [c.expect_error("POST", self.infer_path("no-such-model"), (400, 404), body, headers),
                  c.expect_error("GET", "/v2/models/no-such-model", (400, 404))]
        for _, message in errors:
            require("no-such-model" in message, f"the error {message!r} does not name the model")
        status, _, _ = c.request("GET", "/v2/models/no-such-model/ready")
        require(status != 200, "GET /v2/models/no-such-model/ready answered 200: is_model_ready would say True")
        c.ok(f"infer {errors[0][0]}, metadata {errors[1][0]}, {{\"error\": {errors[0][1]!r}}}; ready {status}")

        c.check("malformed JSON")
        tensor = '{"inputs": [{"name": "%s", "shape": [1, 1, 28, 28], "datatype": "FP32", "data": [' % self.input
        # Cut short; not JSON at all; and a well-formed request but for one lowercase nan, which neither JSON nor
        # Triton's NaN and Infinity extension (rapidjson's kParseNanAndInfFlag) has.
        messages = [c.expect_error("POST", self.infer_path(), (400,), malformed.encode(),
                                   {"Content-Type": "application/json"})[1]
                    for malformed in (tensor + "0.5,", "inputs", tensor + "nan" + ", 0.5" * (28 * 28 - 1) + "]}]}")]
        body, headers = self.tritonclient_images(0, 1)
        self.infer_logits(0, 1, body, headers)
        c.ok(f"400 with an error for each of 3 bodies ({' | '.join(messages)}), then the next infer answered")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="HOST:PORT of the HTTP endpoint")
    parser.add_argument("--repository", required=True, help="the model repository the server serves")
    parser.add_argument("--model", required=True, help="the model to infer with (version 1)")
    parser.add_argument("--mixed-model", required=True, help="MixedGraph's graph, served from model.onnx alone")
    parser.add_argument("--data", required=True, help="the folder of the Fashion-MNIST .gz files")
    parser.add_argument("--expected", required=True, help="the reference logits of the first --images images")
    parser.add_argument("--images", type=int, default=32)
    args = parser.parse_args()

    host, port = args.server.rsplit(":", 1)
    c = None
    try:
        c = Client(host, int(port))
        print(f"Python {sys.version.split()[0]} http.client, server {args.server}", flush=True)
        Checks(c, args).run()
    except Failure as e:
        print(f"FAIL: {c.current if c else 'setup'}: {e}", flush=True)
        return 1
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError) as e:
        # A refused or broken connection, an answer that is not HTTP, not JSON or without a field a client reads.
        print(f"FAIL: {c.current if c else 'setup'}: {type(e).__name__}: {e}", flush=True)
        return 1
    print(f"keep-alive: {c.requests} requests on one connection")
    print(f"all {c.passed} checks ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
