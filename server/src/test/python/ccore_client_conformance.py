#!/usr/bin/python3
"""Calls every RPC of inference.GRPCInferenceService, and grpc.health.v1.Health/Check, through grpc C-core.

Python's grpcio is a binding of grpc C-core, the transport that tritonclient.grpc, KServe's Python SDK, Triton's C++
client and perf_analyzer share; a server that only ever met grpc-java clients can fail every one of them. This
script is that client, run by CCoreClientConformanceTest against the real server. It needs Debian's python3-grpcio
and python3-grpc-tools (bookworm: grpcio 1.51, protobuf 4.21); the stubs are generated from the project's own
.proto at start, by the protoc that python3-grpc-tools bundles, whose code the python3-protobuf runtime loads.
Its first scenario is the trainer's FP32 model; its second (MixedGraphChecks) a graph of INT64, FP32, BYTES and BOOL
inputs and outputs that the trainer did not write.

It prints one line per check and stops at the first failure with a line starting "FAIL" and exit status 1. Its
last two lines name the RPCs it exercised ("exercised: service/Method ...") and count the checks.
"""

import argparse
import asyncio
import collections
import json
import os
import queue
import struct
import sys
import threading

from client_conformance import (CLASSES, CheckLog, LOGIT_TOLERANCE, PIXELS, STRUCT_FORMATS, Failure, argmax, json_file,
                                length_prefixed_strings, mixed_graph_outputs, raw_fp32, read_logits, read_test_images,
                                read_test_labels, require, require_logits, rows)

try:
    import grpc
except ImportError:
    print("FAIL: setup: Python module grpc is missing: apt-get install python3-grpcio (Debian/Ubuntu)")
    sys.exit(2)
try:
    from grpc_tools import protoc
except ImportError:
    print("FAIL: setup: Python module grpc_tools is missing: apt-get install python3-grpc-tools (Debian/Ubuntu)")
    sys.exit(2)
# python3-grpc-tools depends on python3-protobuf.
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

INFERENCE = "inference.GRPCInferenceService"
HEALTH = "grpc.health.v1.Health"
# A status message is for people: long enough to say what was wrong, never so long that a client drops it
# (C-core refuses a header block over 8 KiB with RESOURCE_EXHAUSTED instead of the status).
MAX_STATUS_MESSAGE_CHARS = 4096
# The classification extension prints each score with six decimals.
SCORE_TOLERANCE = LOGIT_TOLERANCE + 5e-7
# The accuracy on the first N test images may differ from the one recorded on all 10,000 by about two standard
# errors of a proportion near 0.93 for N = 100.
ACCURACY_TOLERANCE = 0.05


class Client(CheckLog):
    """The channel and stubs of the checks, which RPCs they exercised, which check runs and how many held."""

    def __init__(self, target, pb, pb_grpc, model_config_pb, health_pb, health_pb_grpc):
        super().__init__()
        self.target = target
        self.channel = grpc.insecure_channel(target)
        self.pb = pb
        self.model_config_pb = model_config_pb
        self.pb_grpc = pb_grpc
        self.inference = pb_grpc.GRPCInferenceServiceStub(self.channel)
        self.health_pb = health_pb
        self.health = health_pb_grpc.HealthStub(self.channel)
        self.exercised = set()

    def call(self, method, request, **kwargs):
        """Calls one method of the inference service through its generated stub."""
        self.exercised.add(f"{INFERENCE}/{method}")
        return getattr(self.inference, method)(request, **kwargs)

    def health_check(self, service):
        self.exercised.add(f"{HEALTH}/Check")
        return self.health.Check(self.health_pb.HealthCheckRequest(service=service), timeout=30)

    def expect_status(self, code, call, message_part):
        """Runs call, which must fail with code and a bounded message containing message_part."""
        try:
            call()
        except grpc.RpcError as e:
            if e.code() != code:
                raise Failure(f"expected {code.name}, got {e.code().name}: {e.details()}") from None
            details = e.details() or ""
            if message_part not in details:
                raise Failure(f"the {code.name} message does not contain {message_part!r}: {details[:300]!r}")
            if len(details) > MAX_STATUS_MESSAGE_CHARS:
                raise Failure(f"the {code.name} message has {len(details)} characters, over "
                              f"{MAX_STATUS_MESSAGE_CHARS}: it echoes the request unbounded")
            return details
        raise Failure(f"expected {code.name}, the call succeeded")


def generate_stubs(proto_dirs, out):
    """The message classes and stubs of grpc_service.proto (with the model_config.proto it imports) and
    health.proto, generated into out and imported."""
    os.makedirs(out, exist_ok=True)
    args = ["protoc"] + [f"-I{d}" for d in proto_dirs] + [
        f"--python_out={out}", f"--grpc_python_out={out}", "grpc_service.proto", "model_config.proto",
        "health.proto"]
    if protoc.main(args) != 0:
        raise Failure(f"grpc_tools.protoc failed on {proto_dirs}")
    sys.path.insert(0, out)
    import grpc_service_pb2
    import grpc_service_pb2_grpc
    import health_pb2
    import health_pb2_grpc
    import model_config_pb2
    return grpc_service_pb2, grpc_service_pb2_grpc, model_config_pb2, health_pb2, health_pb2_grpc


class Checks:
    """The checks of the RPCs, in the order they run."""

    def __init__(self, c, args):
        self.c = c
        self.pb = c.pb
        self.model_config_pb = c.model_config_pb
        self.model = args.model
        self.reload_model = args.reload_model
        self.mixed_model = args.mixed_model
        self.manifest = json_file(os.path.join(args.repository, args.model, "1", "model.json"))
        self.images = read_test_images(args.data, args.images)
        self.labels = read_test_labels(args.data, args.images)
        self.expected = read_logits(args.expected, args.images)

    def request(self, images, typed=False, outputs=(), model=None, request_id=""):
        """A ModelInferRequest of images: raw_input_contents, or typed fp32_contents."""
        pb = self.pb
        tensor = pb.ModelInferRequest.InferInputTensor(
            name=self.manifest["input"]["name"], datatype="FP32", shape=[len(images), 1, 28, 28])
        request = pb.ModelInferRequest(model_name=model or self.model, id=request_id, inputs=[tensor])
        if typed:
            request.inputs[0].contents.fp32_contents.extend(p for image in images for p in image)
        else:
            request.raw_input_contents.append(raw_fp32(images))
        for output in outputs:
            request.outputs.append(output)
        return request

    def image_input(self, images):
        """InferInput(input, [n, 1, 28, 28], "FP32").set_data_from_numpy(images as float32)."""
        return InferInput(self.manifest["input"]["name"], [len(images), 1, 28, 28], "FP32", raw_fp32(images))

    def classification(self, k):
        output = self.pb.ModelInferRequest.InferRequestedOutputTensor(name=self.manifest["output"]["name"])
        output.parameters["classification"].int64_param = k
        return output

    def infer_logits(self, what, first, count, typed):
        """Infers images [first, first + count) and checks the answer against ONNX Runtime; returns the logits."""
        request_id = f"{what}-{first}-{count}"
        response = self.c.call("ModelInfer", self.request(self.images[first:first + count], typed,
                                                          request_id=request_id), timeout=60)
        require(response.model_name == self.model, f"model_name {response.model_name!r}")
        require(response.model_version == "1", f"model_version {response.model_version!r}")
        require(response.id == request_id, f"id {response.id!r}, expected {request_id!r}")
        require(len(response.outputs) == 1, f"{len(response.outputs)} outputs")
        output = response.outputs[0]
        require(output.name == self.manifest["output"]["name"] and output.datatype == "FP32"
                and list(output.shape) == [count, CLASSES], f"output {output.name} {output.datatype} {output.shape}")
        # Triton answers in raw_output_contents whatever the request's form; tritonclient reads that form.
        require(len(response.raw_output_contents) == 1 and not output.HasField("contents"),
                "not answered with raw_output_contents alone")
        raw = response.raw_output_contents[0]
        require(len(raw) == count * CLASSES * 4, f"raw_output_contents has {len(raw)} bytes")
        values = struct.unpack(f"<{count * CLASSES}f", raw)
        logits = rows(values)
        require_logits(what, logits, self.expected[first:first + count])
        return logits

    def run(self):
        self.health()
        self.server()
        self.model_metadata()
        self.model_config()
        self.model_infer()
        self.kserve_grpc()
        self.classification_output()
        self.triton_client_replay()
        self.stream_infer()
        self.reflection()
        self.compression()
        self.accuracy()
        self.statistics()
        self.repository()
        self.repository_load_with_config()
        self.unoffered_extensions()
        self.errors()

    def health(self):
        c = self.c
        serving = self.c.health_pb.HealthCheckResponse.SERVING
        for service in ("", INFERENCE):
            c.check(f"Health/Check {service or '(server)'}")
            status = c.health_check(service).status
            require(status == serving, f"status {status}, expected SERVING")
            c.ok("SERVING")
        c.check("Health/Check unknown service")
        c.expect_status(grpc.StatusCode.NOT_FOUND, lambda: c.health_check("no.Such"), "no.Such")
        c.ok("NOT_FOUND")

    def server(self):
        c, pb = self.c, self.pb
        c.check("ServerLive")
        require(c.call("ServerLive", pb.ServerLiveRequest(), timeout=30).live, "live is false")
        c.ok("live")
        c.check("ServerReady")
        require(c.call("ServerReady", pb.ServerReadyRequest(), timeout=30).ready, "ready is false")
        c.ok("ready")
        c.check("ServerMetadata")
        metadata = c.call("ServerMetadata", pb.ServerMetadataRequest(), timeout=30)
        require(metadata.name == "shallowserve" and metadata.version, f"name/version {metadata.name!r}"
                f" {metadata.version!r}")
        extensions = set(metadata.extensions)
        require({"classification", "model_configuration", "model_repository", "statistics"} <= extensions,
                f"extensions {extensions}")
        c.ok(f"{metadata.name} {metadata.version}, extensions {sorted(extensions)}")

    def model_metadata(self):
        c, pb = self.c, self.pb
        c.check("ModelReady")
        for version in ("", "1"):
            require(c.call("ModelReady", pb.ModelReadyRequest(name=self.model, version=version), timeout=30).ready,
                    f"{self.model} version {version!r} is not ready")
        c.ok(f"{self.model} ready, as version 1 too")
        c.check("ModelReady unknown model")
        # ready = false, not an error (Triton before mid-2026 answered so): is_model_ready() would raise on one.
        require(not c.call("ModelReady", pb.ModelReadyRequest(name="no-such-model"), timeout=30).ready,
                "no-such-model is ready")
        c.ok("ready = false")
        c.check("ModelMetadata")
        metadata = c.call("ModelMetadata", pb.ModelMetadataRequest(name=self.model), timeout=30)
        require(metadata.name == self.model and "1" in metadata.versions, f"{metadata.name} {metadata.versions}")
        for tensors, declared in ((metadata.inputs, self.manifest["input"]), (metadata.outputs,
                                                                                self.manifest["output"])):
            require(len(tensors) == 1, f"{len(tensors)} tensors, expected 1 like {declared}")
            tensor = tensors[0]
            require([tensor.name, tensor.datatype, list(tensor.shape)] == [declared["name"], declared["datatype"],
                                                                           declared["shape"]],
                    f"{tensor.name} {tensor.datatype} {list(tensor.shape)} is not model.json's {declared}")
        c.ok(f"{metadata.platform}: {metadata.inputs[0].name} {list(metadata.inputs[0].shape)} ->"
             f" {metadata.outputs[0].name} {list(metadata.outputs[0].shape)}")

    def model_config(self):
        """ModelConfig as perf_analyzer and tritonclient's get_model_config read it."""
        c, pb = self.c, self.pb
        c.check("ModelConfig")
        for version in ("", "1"):
            config = c.call("ModelConfig", pb.ModelConfigRequest(name=self.model, version=version), timeout=30).config
            require(config.name == self.model and config.platform == "onnxruntime_onnx"
                    and config.backend == "onnxruntime", f"{config.name} {config.platform} {config.backend}")
            require(config.max_batch_size > 0, f"max_batch_size {config.max_batch_size}")
            for tensors, declared in ((config.input, self.manifest["input"]), (config.output,
                                                                              self.manifest["output"])):
                require(len(tensors) == 1, f"{len(tensors)} tensors, expected 1 like {declared}")
                tensor = tensors[0]
                data_type = self.model_config_pb.DataType.Name(tensor.data_type)
                # Triton's dims leave the batch dimension out when max_batch_size > 0.
                require([tensor.name, data_type, list(tensor.dims)] == [declared["name"], "TYPE_" + declared[
                    "datatype"], declared["shape"][1:]], f"{tensor.name} {data_type} {list(tensor.dims)} is not"
                                                        f" model.json's {declared}")
            require(not config.HasField("dynamic_batching"), "dynamic_batching set; the server batches nothing here")
            require(len(config.instance_group) == 1 and config.instance_group[0].count >= 1
                    and config.instance_group[0].kind == self.model_config_pb.ModelInstanceGroup.KIND_CPU,
                    f"instance_group {list(config.instance_group)}")
            require(config.version_policy.HasField("all"), f"version_policy {config.version_policy}")
        c.ok(f"max_batch_size {config.max_batch_size}, input {list(config.input[0].dims)}, output"
             f" {list(config.output[0].dims)}, {config.instance_group[0].count} CPU instances")
        c.check("ModelConfig unknown model")
        c.expect_status(grpc.StatusCode.NOT_FOUND, lambda: c.call(
            "ModelConfig", pb.ModelConfigRequest(name="no-such-model"), timeout=30), "no-such-model")
        c.ok("NOT_FOUND")

    def model_infer(self):
        c = self.c
        for typed in (False, True):
            form = "typed contents" if typed else "raw_input_contents"
            c.check(f"ModelInfer {form}, batch 1")
            self.infer_logits("batch-1", 0, 1, typed)
            c.ok("logits of image 0 within 1e-5 of ONNX Runtime")
            c.check(f"ModelInfer {form}, batch 16")
            self.infer_logits("batch-16", 16, 16, typed)
            c.ok("logits of images 16-31 within 1e-5 of ONNX Runtime")

    def kserve_grpc(self):
        """KServe's Python SDK InferenceGRPCClient (kserve/kserve at commit 0217bdab, python/kserve/kserve/
        inference_client.py and protocol/infer_type.py): a grpc.aio channel with unlimited message sizes, retries on
        and a service config retrying UNAVAILABLE on every method (3 attempts); InferRequest.to_grpc of an input made
        with set_data_from_numpy, binary by default: its bytes in raw_input_contents and the input parameter
        "binary_data_size" (int64_param), no id, a 60 s timeout. InferResponse.from_grpc reads raw_output_contents."""
        c = self.c
        c.check("KServe InferenceGRPCClient is_server_ready, infer")
        pb = self.pb
        service_config = json.dumps({"methodConfig": [{"name": [{}], "retryPolicy": {
            "maxAttempts": 3, "initialBackoff": "0.1s", "maxBackoff": "1s", "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"]}}]})
        options = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1),
                   ("grpc.enable_retries", 1), ("grpc.service_config", service_config)]
        raw = raw_fp32(self.images[2:5])
        request = pb.ModelInferRequest(model_name=self.model, inputs=[pb.ModelInferRequest.InferInputTensor(
            name=self.manifest["input"]["name"], shape=[3, 1, 28, 28], datatype="FP32",
            parameters={"binary_data_size": pb.InferParameter(int64_param=len(raw))})], raw_input_contents=[raw])

        async def calls():
            async with grpc.aio.insecure_channel(c.target, options=options) as channel:
                stub = c.pb_grpc.GRPCInferenceServiceStub(channel)
                ready = await stub.ServerReady(pb.ServerReadyRequest(), timeout=60, metadata=None)
                answer = await stub.ModelInfer(request=request, metadata=(), timeout=60)
                return ready, answer

        ready, answer = asyncio.run(calls())
        require(ready.ready, "ServerReady answered ready = false")
        require(answer.model_name == self.model and len(answer.raw_output_contents) == 1,
                f"model_name {answer.model_name!r}, {len(answer.raw_output_contents)} raw outputs")
        values = struct.unpack(f"<{3 * CLASSES}f", answer.raw_output_contents[0])
        require_logits("logits", rows(values), self.expected[2:5])
        c.ok("ready; raw logits of images 2-4 within 1e-5 of ONNX Runtime over grpc.aio with retries on")

    def classification_output(self):
        c = self.c
        labels = self.manifest["labels"]
        k = 3
        batch = 8
        for typed in (False, True):
            form = "typed contents" if typed else "raw_input_contents"
            c.check(f"ModelInfer classification {k}, {form}, batch {batch}")
            response = c.call("ModelInfer", self.request(self.images[:batch], typed,
                                                         outputs=[self.classification(k)]), timeout=60)
            output = response.outputs[0]
            require(output.datatype == "BYTES" and list(output.shape) == [batch, k],
                    f"output {output.datatype} {list(output.shape)}, expected BYTES [{batch}, {k}]")
            strings = length_prefixed_strings(response.raw_output_contents[0])
            require(len(strings) == batch * k, f"{len(strings)} classes, expected {batch * k}")
            for image in range(batch):
                expected = self.expected[image]
                top = sorted(range(CLASSES), key=lambda i: -expected[i])[:k]
                for rank in range(k):
                    score, index, label = strings[image * k + rank].decode("utf-8").split(":", 2)
                    require(int(index) == top[rank] and label == labels[top[rank]]
                            and abs(float(score) - expected[top[rank]]) <= SCORE_TOLERANCE,
                            f"image {image} rank {rank}: {score}:{index}:{label}, expected"
                            f" {expected[top[rank]]:f}:{top[rank]}:{labels[top[rank]]}")
            c.ok(f"top {k} of {batch} images as score:index:label, e.g. {strings[0].decode()}")

    def triton_client_replay(self):
        """ModelInfer exactly as tritonclient.grpc sends it and reads it back (see TritonClientReplay)."""
        c = self.c
        replay = TritonClientReplay(c)
        output = self.manifest["output"]["name"]
        try:
            c.check("ModelInfer as tritonclient.grpc, batch 8, logits")
            logits = replay.infer(self.model, [self.image_input(self.images[:8])], [(output, 0)],
                                  request_id="triton-1")[output]
            require_logits("tritonclient replay", rows(logits), self.expected[:8])
            c.ok(f"InferResult.as_numpy('{output}') within 1e-5 of ONNX Runtime")

            c.check("ModelInfer as tritonclient.grpc, batch 8, classification 2")
            classes = replay.infer(self.model, [self.image_input(self.images[:8])], [(output, 2)])[output]
            tops = [int(s.decode().split(":")[1]) for s in classes[::2]]
            require(tops == [argmax(e) for e in self.expected[:8]], f"top classes {tops}")
            c.ok(f"InferResult.as_numpy('{output}') of BYTES: {classes[0].decode()}, ...")

            c.check("ModelInfer as tritonclient.grpc, batch 1, no outputs named")
            logits = replay.infer(self.model, [self.image_input(self.images[:1])], None)[output]
            require_logits("tritonclient replay", rows(logits), self.expected[:1])
            c.ok("every output returned, logits within 1e-5 of ONNX Runtime")
        finally:
            replay.close()

    def stream_infer(self):
        """ModelStreamInfer as tritonclient.grpc's start_stream() and async_stream_infer() use it (commit 58a44caa):
        _client.py calls ModelStreamInfer(_RequestIterator(stream), metadata=(), timeout=stream_timeout (None),
        compression=NoCompression); _infer_stream.py feeds the iterator from a queue that close() ends with None, and
        reads the answers on a thread, an answer whose error_message is not "" being its request's failure, which
        leaves the stream usable. A request for a model the server lacks sits among good ones."""
        c = self.c
        c.check("ModelStreamInfer as tritonclient.grpc's start_stream() and async_stream_infer()")
        requests = queue.Queue()

        def request_iterator():
            while True:
                request = requests.get()
                if request is None:
                    return
                yield request

        c.exercised.add(f"{INFERENCE}/ModelStreamInfer")
        answers = c.inference.ModelStreamInfer(request_iterator(), metadata=(), timeout=None,
                                               compression=grpc.Compression.NoCompression)
        received = []
        failures = []

        def read_answers():
            try:
                for answer in answers:
                    received.append(answer)
            except grpc.RpcError as e:
                failures.append(f"{e.code().name}: {e.details()}")

        reader = threading.Thread(target=read_answers)
        reader.start()
        sent = []
        for i in range(12):
            if i == 5:
                requests.put(self.request(self.images[:1], model="no-such-model", request_id="stream-unknown"))
                sent.append("stream-unknown")
            requests.put(self.request(self.images[i:i + 2], request_id=f"stream-{i}"))
            sent.append(f"stream-{i}")
        requests.put(None)
        reader.join(60)
        require(not reader.is_alive(), "the stream did not end within 60 s of the client ending its side")
        require(not failures, f"the stream failed: {failures}")
        ids = [answer.infer_response.id for answer in received]
        require(ids == sent, f"answers for {ids}, expected one per request in the order sent: {sent}")
        for answer in received:
            if answer.infer_response.id == "stream-unknown":
                require("no-such-model" in answer.error_message, f"error_message {answer.error_message!r}")
                continue
            require(answer.error_message == "", f"{answer.infer_response.id}: {answer.error_message!r}")
            first = int(answer.infer_response.id.split("-")[1])
            values = struct.unpack(f"<{2 * CLASSES}f", answer.infer_response.raw_output_contents[0])
            require_logits(answer.infer_response.id, rows(values), self.expected[first:first + 2])
        c.ok(f"{len(received)} answers in order, logits within 1e-5 of ONNX Runtime, the unknown model's in"
             f" error_message: {received[5].error_message[:60]!r}")

    def reflection(self):
        """gRPC reflection as grpcurl uses it, over both versions (v1alpha is all Postman, Evans and grpc_cli ask):
        list the services, ask for the file declaring the inference service and, by name, every file it imports,
        build them into a descriptor pool and call ServerLive and ModelInfer with message classes made from it alone.
        The reflection messages are written and read by hand from reflection.proto's field numbers."""
        c = self.c
        for version in ("v1", "v1alpha"):
            c.check(f"grpc.reflection.{version} as grpcurl uses it")
            reflection = Reflection(c.channel, f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo")
            try:
                services = reflection.services()
                require({INFERENCE, HEALTH} <= set(services), f"services {services}")
                pool = reflection.pool(INFERENCE)
            finally:
                reflection.close()
            service = pool.FindServiceByName(INFERENCE)

            def call(method, **fields):
                descriptor = service.FindMethodByName(method)
                request_class = message_class(pool, descriptor.input_type)
                response_class = message_class(pool, descriptor.output_type)
                stub = c.channel.unary_unary(f"/{INFERENCE}/{method}",
                                             request_serializer=request_class.SerializeToString,
                                             response_deserializer=response_class.FromString)
                return stub(request_class(**fields), timeout=30)

            require(call("ServerLive").live, "ServerLive answered live = false")
            request = self.request(self.images[:1])
            answer = call("ModelInfer", model_name=request.model_name, inputs=[
                {"name": tensor.name, "datatype": tensor.datatype, "shape": list(tensor.shape)}
                for tensor in request.inputs], raw_input_contents=list(request.raw_input_contents))
            values = struct.unpack(f"<{CLASSES}f", answer.raw_output_contents[0])
            require_logits(f"{version} ModelInfer", rows(values), self.expected[:1])
            c.ok(f"{len(services)} services, {len(service.methods)} inference methods built from reflection alone,"
                 f" ServerLive and ModelInfer answered")

    def compression(self):
        """ModelInfer in compressed messages: per call as tritonclient.grpc's compression_algorithm sends them, and as
        a channel's default compression; a message that decompresses past the server's limit is refused."""
        c, pb = self.c, self.pb
        output = self.manifest["output"]["name"]
        replay = TritonClientReplay(c)
        try:
            for algorithm in ("gzip", "deflate"):
                c.check(f"ModelInfer as tritonclient.grpc with compression_algorithm={algorithm!r}, batch 8")
                logits = replay.infer(self.model, [self.image_input(self.images[:8])], [(output, 0)],
                                      compression_algorithm=algorithm)
                require_logits(f"{algorithm} request", rows(logits[output]), self.expected[:8])
                c.ok(f"grpc-encoding {algorithm}: logits within 1e-5 of ONNX Runtime")
        finally:
            replay.close()

        c.check("channel with compression=grpc.Compression.Gzip")
        channel = grpc.insecure_channel(c.target, compression=grpc.Compression.Gzip)
        try:
            stub = c.pb_grpc.GRPCInferenceServiceStub(channel)
            require(stub.ServerLive(pb.ServerLiveRequest(), timeout=30).live, "live is false")
            response = stub.ModelInfer(self.request(self.images[8:16]), timeout=60)
            require_logits("gzip channel", rows(struct.unpack(f"<{8 * CLASSES}f", response.raw_output_contents[0])),
                           self.expected[8:16])
            # C-core keeps grpc-encoding to itself: CompressionTest checks the coding of the responses.
            c.ok("ServerLive, and ModelInfer logits of images 8-15 within 1e-5 of ONNX Runtime")
        finally:
            channel.close()

        # Four times the server's default limit (shallowserve.limits.message-bytes, 16 MiB), in about 64 KB.
        zeros = 64 * 1024 * 1024
        c.check(f"ModelInfer gzip message of {zeros >> 20} MiB of zeros")
        bomb = self.request(self.images[:1])
        bomb.raw_input_contents[0] = bytes(zeros)
        c.expect_status(grpc.StatusCode.RESOURCE_EXHAUSTED, lambda: c.call(
            "ModelInfer", bomb, timeout=60, compression=grpc.Compression.Gzip),
            "Decompressed gRPC message exceeds maximum size")
        self.infer_logits("after-bomb", 0, 1, typed=False)
        c.ok("RESOURCE_EXHAUSTED for its decompressed size, and the next request on the channel is answered")

    def accuracy(self):
        c = self.c
        count = len(self.images)
        c.check(f"ModelInfer accuracy on the first {count} test images")
        logits = []
        for first in range(0, count, 25):
            logits += self.infer_logits("accuracy", first, min(25, count - first), typed=False)
        correct = sum(1 for row, label in zip(logits, self.labels) if argmax(row) == label)
        accuracy = correct / count
        recorded = self.manifest["metrics"]["test"]["accuracy"]
        require(abs(accuracy - recorded) <= ACCURACY_TOLERANCE,
                f"accuracy {accuracy:.3f} on {count} images, the model's recorded test accuracy is {recorded}")
        c.ok(f"{correct}/{count} correct ({accuracy:.3f}; recorded on all 10,000: {recorded})")

    def statistics(self):
        c, pb = self.c, self.pb

        def counts():
            stats = c.call("ModelStatistics", pb.ModelStatisticsRequest(name=self.model), timeout=30).model_stats
            require(len(stats) == 1 and stats[0].name == self.model and stats[0].version == "1",
                    f"statistics of {[(s.name, s.version) for s in stats]}")
            inference = stats[0].inference_stats
            # perf_analyzer reads them unconditionally; Triton sends them, zero without a response cache.
            require(inference.HasField("cache_hit") and inference.HasField("cache_miss"),
                    "inference_stats has no cache_hit or cache_miss")
            require((inference.cache_hit.count, inference.cache_hit.ns, inference.cache_miss.count,
                     inference.cache_miss.ns) == (0, 0, 0, 0), f"cache statistics {inference}")
            return stats[0].inference_count, stats[0].execution_count, inference.success.count

        c.check("ModelStatistics")
        before = counts()
        self.infer_logits("statistics", 0, 16, typed=False)
        after = counts()
        require(after[0] - before[0] == 16, f"inference_count went from {before[0]} to {after[0]}, expected +16")
        require(after[1] - before[1] == 1, f"execution_count went from {before[1]} to {after[1]}, expected +1")
        require(after[2] - before[2] == 1, f"success count went from {before[2]} to {after[2]}, expected +1")
        c.ok(f"one request of 16 images: inference_count {before[0]} -> {after[0]}, execution_count"
             f" {before[1]} -> {after[1]}")

    def repository(self):
        c, pb = self.c, self.pb

        def index():
            models = c.call("RepositoryIndex", pb.RepositoryIndexRequest(), timeout=30).models
            return {f"{m.name}/{m.version}": m.state for m in models}

        c.check("RepositoryIndex")
        states = index()
        require(states == {f"{self.model}/1": "READY", f"{self.reload_model}/1": "READY",
                           f"{self.mixed_model}/1": "READY"}, f"index {states}")
        c.ok(f"{states}")

        c.check("RepositoryModelUnload")
        c.call("RepositoryModelUnload", pb.RepositoryModelUnloadRequest(model_name=self.reload_model), timeout=60)
        require(not c.call("ModelReady", pb.ModelReadyRequest(name=self.reload_model), timeout=30).ready,
                f"{self.reload_model} still ready after unload")
        c.expect_status(grpc.StatusCode.UNAVAILABLE, lambda: c.call(
            "ModelInfer", self.request(self.images[:1], model=self.reload_model), timeout=30), "unloaded")
        require(index()[f"{self.reload_model}/1"] == "UNAVAILABLE", f"index {index()}")
        c.ok(f"{self.reload_model} not ready, its requests UNAVAILABLE, the index says UNAVAILABLE")

        c.check("RepositoryModelLoad")
        c.call("RepositoryModelLoad", pb.RepositoryModelLoadRequest(model_name=self.reload_model), timeout=120)
        require(c.call("ModelReady", pb.ModelReadyRequest(name=self.reload_model), timeout=30).ready,
                f"{self.reload_model} not ready after load")
        response = c.call("ModelInfer", self.request(self.images[:1], model=self.reload_model), timeout=60)
        require_logits("after load", rows(struct.unpack(f"<{CLASSES}f", response.raw_output_contents[0])),
                       self.expected[:1])
        c.ok(f"{self.reload_model} ready again and serving the reference logits")

    def repository_load_with_config(self):
        """RepositoryModelLoad with Triton's "config" parameter: applied, or refused saying why."""
        c, pb = self.c, self.pb

        def load(config):
            request = pb.RepositoryModelLoadRequest(model_name=self.reload_model)
            request.parameters["config"].string_param = json.dumps(config)
            return c.call("RepositoryModelLoad", request, timeout=120)

        def config():
            return c.call("ModelConfig", pb.ModelConfigRequest(name=self.reload_model), timeout=30).config

        c.check("RepositoryModelLoad with a config")
        load({"dynamic_batching": {"max_queue_delay_microseconds": 100, "preferred_batch_size": [2]},
              "instance_group": [{"kind": "KIND_CPU", "count": 1}]})
        applied = config()
        require(applied.HasField("dynamic_batching") and list(applied.dynamic_batching.preferred_batch_size) == [2]
                and applied.dynamic_batching.max_queue_delay_microseconds == 100
                and applied.instance_group[0].count == 1, f"configuration after the load: {applied}")
        response = c.call("ModelInfer", self.request(self.images[:1], model=self.reload_model), timeout=60)
        require_logits("after a load with a config", rows(struct.unpack(f"<{CLASSES}f",
                                                                        response.raw_output_contents[0])),
                       self.expected[:1])
        c.ok("dynamic batching and one instance applied, the reference logits served")

        c.check("RepositoryModelLoad with a config the server cannot apply")
        c.expect_status(grpc.StatusCode.FAILED_PRECONDITION,
                        lambda: load({"instance_group": [{"kind": "KIND_GPU", "count": 1}]}), "KIND_GPU")
        c.expect_status(grpc.StatusCode.FAILED_PRECONDITION, lambda: load({"optimization": {}}), "optimization")
        require(config() == applied, "a refused load changed the configuration")
        c.call("RepositoryModelLoad", pb.RepositoryModelLoadRequest(model_name=self.reload_model), timeout=120)
        require(not config().HasField("dynamic_batching"), "a plain load kept the config of the load before")
        c.ok("FAILED_PRECONDITION saying why, the configuration unchanged; a plain load restores serving.yaml's")

    def unoffered_extensions(self):
        """Shared memory, trace and log settings: not offered, answered at once with what is true."""
        c, pb = self.c, self.pb
        c.check("SystemSharedMemory / CudaSharedMemory")
        for kind in ("System", "Cuda"):
            status = c.call(f"{kind}SharedMemoryStatus", getattr(pb, f"{kind}SharedMemoryStatusRequest")(),
                            timeout=30)
            require(len(status.regions) == 0, f"{kind} regions {dict(status.regions)}")
            c.expect_status(grpc.StatusCode.NOT_FOUND, lambda: c.call(
                f"{kind}SharedMemoryStatus", getattr(pb, f"{kind}SharedMemoryStatusRequest")(name="input0"),
                timeout=30), "'input0'")
            c.expect_status(grpc.StatusCode.UNIMPLEMENTED, lambda: c.call(
                f"{kind}SharedMemoryRegister", getattr(pb, f"{kind}SharedMemoryRegisterRequest")(
                    name="input0", byte_size=PIXELS * 4), timeout=30), "not supported")
            # perf_analyzer's clean start: unregister everything (name "").
            c.call(f"{kind}SharedMemoryUnregister", getattr(pb, f"{kind}SharedMemoryUnregisterRequest")(),
                   timeout=30)
        c.ok("no region registered, NOT_FOUND for a named one, register UNIMPLEMENTED, unregister OK")
        c.check("TraceSetting / LogSettings")
        c.expect_status(grpc.StatusCode.UNIMPLEMENTED, lambda: c.call(
            "TraceSetting", pb.TraceSettingRequest(), timeout=30), "tracing")
        request = pb.LogSettingsRequest()
        request.settings["log_verbose_level"].uint32_param = 1
        c.expect_status(grpc.StatusCode.UNIMPLEMENTED, lambda: c.call("LogSettings", request, timeout=30),
                        "log settings")
        c.ok("UNIMPLEMENTED saying why")

    def errors(self):
        c, pb = self.c, self.pb
        c.check("unknown method")
        method = c.channel.unary_unary(f"/{INFERENCE}/NoSuchMethod",
                                       request_serializer=pb.ServerLiveRequest.SerializeToString,
                                       response_deserializer=pb.ServerLiveResponse.FromString)
        c.expect_status(grpc.StatusCode.UNIMPLEMENTED, lambda: method(pb.ServerLiveRequest(), timeout=30),
                        "NoSuchMethod")
        c.ok("UNIMPLEMENTED")

        c.check("unknown model")
        c.expect_status(grpc.StatusCode.NOT_FOUND, lambda: c.call(
            "ModelInfer", self.request(self.images[:1], model="no-such-model"), timeout=30), "no-such-model")
        c.expect_status(grpc.StatusCode.NOT_FOUND, lambda: c.call(
            "ModelMetadata", pb.ModelMetadataRequest(name="no-such-model"), timeout=30), "no-such-model")
        c.ok("NOT_FOUND naming the model, for ModelInfer and ModelMetadata")
        # A client's mistake must not make the status too large for the client to read: a C-core client drops
        # a header block over 8 KiB and reports RESOURCE_EXHAUSTED instead, and non-ASCII is percent-encoded to
        # up to 9 bytes a character in grpc-message.
        for name in ("m" * 20000, "\u6a21\u578b" * 2000):
            c.check(f"unknown model of {len(name)} characters")
            details = c.expect_status(grpc.StatusCode.NOT_FOUND, lambda: c.call(
                "ModelMetadata", pb.ModelMetadataRequest(name=name), timeout=30), name[:20])
            c.ok(f"NOT_FOUND with a message of {len(details)} characters")

        c.check("deadline shorter than possible")
        c.expect_status(grpc.StatusCode.DEADLINE_EXCEEDED, lambda: c.call(
            "ModelInfer", self.request(self.images[:16]), timeout=1e-6), "")
        # Now and then grpcio 1.51 cancels this call after giving it a stream id but before writing its HEADERS, and
        # still sends RST_STREAM for it: a frame on an idle stream, which RFC 9113 section 6.4 makes a connection
        # error, so the server closes the connection (grpc-java logs "Stream N does not exist for inbound frame
        # RST_STREAM"). A call already sent on that connection fails UNAVAILABLE; the channel then reconnects.
        try:
            live = c.call("ServerLive", pb.ServerLiveRequest(), timeout=30).live
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNAVAILABLE:
                raise
            print(f"note: the connection closed after the expired call ({e.details()}); calling again", flush=True)
            live = c.call("ServerLive", pb.ServerLiveRequest(), timeout=30, wait_for_ready=True).live
        require(live, "not live after the deadline")
        self.infer_logits("after-deadline", 0, 1, typed=False)
        c.ok("DEADLINE_EXCEEDED, and the next request on the channel is answered")


class MixedGraphChecks:
    """The second scenario: a graph the trainer did not write (MixedGraph.java), served from model.onnx alone, with
    four inputs and four outputs of INT64, FP32, BYTES and BOOL: a INT64 [-1, 2], b FP32 [-1, 2], s BYTES [-1] and
    m BOOL [-1, 2] in; sum = float(a) + b FP32, positive = sum > 0 BOOL, same = s BYTES and kept = a where m else 0
    INT64 out. s and same, of the batch alone in the graph, are [-1, 1] to clients: dims [1] with reshape
    { shape: [] }, as Triton's ONNX Runtime backend completes them. Called with typed contents and as
    tritonclient.grpc calls it (raw_input_contents); each output read from raw_output_contents and checked against
    what the graph computes, computed here."""

    INPUTS = [("a", "INT64", [-1, 2]), ("b", "FP32", [-1, 2]), ("s", "BYTES", [-1, 1]), ("m", "BOOL", [-1, 2])]
    OUTPUTS = [("sum", "FP32", [-1, 2]), ("positive", "BOOL", [-1, 2]), ("same", "BYTES", [-1, 1]),
               ("kept", "INT64", [-1, 2])]
    # The tensors of the batch alone in the graph, which the configuration reshapes.
    RESHAPED = {"s", "same"}
    # 2^53 + 1 is no double and no float32: kept must carry it exactly; sum rounds it to float32 (2^53).
    A = [3, -7, 2 ** 53 + 1, 0, -(2 ** 62), 40]
    B = [-4.0, 8.0, 0.5, -0.25, 1.5, -40.0]
    M = [False, True, True, True, False, True]
    # Text as clients send it: ASCII, two- and four-byte UTF-8 (outside the BMP), empty, and a NUL inside.
    S = [b"ok", "\u00e9\U0001F600".encode("utf-8"), b"a\x00b"]

    def __init__(self, c, model):
        self.c = c
        self.pb = c.pb
        self.model = model

    def run(self):
        self.metadata()
        self.infer_typed()
        self.infer_as_tritonclient()
        self.wrong_datatype()

    def metadata(self):
        c, pb = self.c, self.pb
        c.check(f"ModelMetadata of {self.model} (model.onnx alone)")
        metadata = c.call("ModelMetadata", pb.ModelMetadataRequest(name=self.model), timeout=30)
        require(metadata.name == self.model and list(metadata.versions) == ["1"]
                and metadata.platform == "onnxruntime_onnx",
                f"{metadata.name} {list(metadata.versions)} {metadata.platform}")
        for tensors, declared in ((metadata.inputs, self.INPUTS), (metadata.outputs, self.OUTPUTS)):
            found = [(t.name, t.datatype, list(t.shape)) for t in tensors]
            require(found == declared, f"tensors {found}, the graph declares {declared}")
        c.ok(", ".join(f"{n} {d} {s}" for n, d, s in self.INPUTS) + " -> "
             + ", ".join(f"{n} {d} {s}" for n, d, s in self.OUTPUTS))

        c.check(f"ModelConfig of {self.model}, as perf_analyzer reads it")
        config = c.call("ModelConfig", pb.ModelConfigRequest(name=self.model), timeout=30).config
        require(config.max_batch_size > 0, f"max_batch_size {config.max_batch_size}")
        data_type = c.model_config_pb.DataType.Name
        for tensors, declared in ((config.input, self.INPUTS), (config.output, self.OUTPUTS)):
            found = [(t.name, data_type(t.data_type), list(t.dims),
                      list(t.reshape.shape) if t.HasField("reshape") else None) for t in tensors]
            # Triton's names (BYTES is TYPE_STRING), dims without the batch dimension, and the graph's [-1] as an
            # empty reshape.
            expected = [(n, "TYPE_STRING" if d == "BYTES" else "TYPE_" + d, s[1:], [] if n in self.RESHAPED else None)
                        for n, d, s in declared]
            require(found == expected, f"tensors {found}, expected {expected}")
        c.ok(f"max_batch_size {config.max_batch_size}, " + ", ".join(
            f"{t.name} {data_type(t.data_type)} {list(t.dims)}" for t in config.input))

    def require_outputs(self, what, results, expected):
        require(list(results) == [name for name, _, _ in self.OUTPUTS], f"{what}: outputs {list(results)}")
        for name, values in results.items():
            require(values == expected[name], f"{what}: output {name} {values}, expected {expected[name]}")

    def infer_typed(self):
        c, pb = self.c, self.pb
        batch = len(self.A) // 2
        c.check(f"ModelInfer {self.model} typed contents (int64, fp32, bytes, bool), batch {batch}")
        request = pb.ModelInferRequest(model_name=self.model, id="typed")
        for name, datatype, shape in self.INPUTS:
            request.inputs.append(pb.ModelInferRequest.InferInputTensor(
                name=name, datatype=datatype, shape=[batch] + shape[1:]))
        request.inputs[0].contents.int64_contents.extend(self.A)
        request.inputs[1].contents.fp32_contents.extend(self.B)
        request.inputs[2].contents.bytes_contents.extend(self.S)
        request.inputs[3].contents.bool_contents.extend(self.M)
        response = c.call("ModelInfer", request, timeout=60)
        require(response.id == "typed" and response.model_version == "1",
                f"id {response.id!r}, version {response.model_version!r}")
        require(len(response.raw_output_contents) == len(response.outputs)
                and not any(o.HasField("contents") for o in response.outputs),
                "not answered with raw_output_contents alone")
        require(len(response.outputs) == len(self.OUTPUTS), f"{len(response.outputs)} outputs")
        results = {}
        for output, raw, (name, datatype, shape) in zip(response.outputs, response.raw_output_contents,
                                                        self.OUTPUTS):
            found = (output.name, output.datatype, list(output.shape))
            require(found == (name, datatype, [batch] + shape[1:]), f"output {found}")
            results[output.name] = decode_raw(output, raw)
        self.require_outputs("typed contents", results, mixed_graph_outputs(self.A, self.B, self.S, self.M))
        c.ok(f"every output as computed here, kept {results['kept']}, same {results['same']}")

    def infer_as_tritonclient(self):
        c = self.c
        batch = len(self.A) // 2
        replay = TritonClientReplay(c)
        try:
            c.check(f"ModelInfer {self.model} as tritonclient.grpc (raw_input_contents), batch {batch}")
            inputs = [InferInput("a", [batch, 2], "INT64", struct.pack(f"<{len(self.A)}q", *self.A)),
                      InferInput("b", [batch, 2], "FP32", struct.pack(f"<{len(self.B)}f", *self.B)),
                      InferInput("s", [batch, 1], "BYTES", length_prefixed(self.S)),
                      InferInput("m", [batch, 2], "BOOL", struct.pack(f"<{len(self.M)}?", *self.M))]
            results = replay.infer(self.model, inputs, None, request_id="tritonclient")
            self.require_outputs("tritonclient replay", results, mixed_graph_outputs(self.A, self.B, self.S, self.M))
            c.ok(f"InferResult.as_numpy of every output as computed here, sum {results['sum']}")

            c.check(f"ModelInfer {self.model} as tritonclient.grpc, two outputs named, batch 1")
            one = [InferInput("a", [1, 2], "INT64", struct.pack("<2q", -2, 5)),
                   InferInput("b", [1, 2], "FP32", struct.pack("<2f", 2.5, -5.0)),
                   InferInput("s", [1, 1], "BYTES", length_prefixed([b"x"])),
                   InferInput("m", [1, 2], "BOOL", struct.pack("<2?", True, False))]
            results = replay.infer(self.model, one, [("kept", 0), ("positive", 0)])
            require(results == {"kept": [-2, 0], "positive": [True, False]}, f"outputs {results}")
            c.ok(f"only the outputs named, in the order named: {results}")
        finally:
            replay.close()

    def wrong_datatype(self):
        """tritonclient with an int32 array for the INT64 input, and with bytes that are not text for the BYTES one:
        refused saying why."""
        c = self.c
        replay = TritonClientReplay(c)
        try:
            c.check(f"ModelInfer {self.model} with INT32 for its INT64 input")
            inputs = [InferInput("a", [1, 2], "INT32", struct.pack("<2i", 1, 2)),
                      InferInput("b", [1, 2], "FP32", struct.pack("<2f", 0.0, 0.0)),
                      InferInput("s", [1, 1], "BYTES", length_prefixed([b"x"])),
                      InferInput("m", [1, 2], "BOOL", struct.pack("<2?", True, True))]
            c.expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: replay.infer(self.model, inputs, None),
                            f"input 'a' has datatype INT32; model {self.model} expects INT64")
            inputs[0] = InferInput("a", [1, 2], "INT64", struct.pack("<2q", 1, 2))
            results = replay.infer(self.model, inputs, [("kept", 0)])
            require(results == {"kept": [1, 2]}, f"after the refusal: {results}")
            c.ok("INVALID_ARGUMENT naming the input and both datatypes; the next request on the channel is answered")

            # BYTES that are not text (a lone 0xFF; a surrogate written as UTF-8): ONNX Runtime's Java API would get
            # them as U+FFFD, which the graph would answer as if sent.
            c.check(f"ModelInfer {self.model} with BYTES that are not UTF-8")
            inputs[2] = InferInput("s", [1, 1], "BYTES", length_prefixed([b"\xff\x00\xfe"]))
            c.expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: replay.infer(self.model, inputs, None),
                            "input 's' element 0 is not UTF-8 text")
            inputs[2] = InferInput("s", [1, 1], "BYTES", length_prefixed([b"\xed\xa0\x80"]))
            c.expect_status(grpc.StatusCode.INVALID_ARGUMENT, lambda: replay.infer(self.model, inputs, None),
                            "input 's' element 0 is not UTF-8 text")
            c.ok("INVALID_ARGUMENT naming the element, where the graph would have seen other text")
        finally:
            replay.close()


class TritonClientReplay:
    """ModelInfer as tritonclient.grpc (github.com/triton-inference-server/client, commit 58a44caa) does it,
    without tritonclient (and numpy), which Debian does not package:

    - src/python/library/tritonclient/grpc/_client.py: InferenceServerClient.__init__ opens an insecure channel
      with exactly these options (MAX_GRPC_MESSAGE_SIZE = INT32_MAX, KeepAliveOptions' defaults) and makes a
      service_pb2_grpc.GRPCInferenceServiceStub; infer() calls ModelInfer with metadata = the headers given (none:
      an empty tuple), timeout = client_timeout and compression = _grpc_compression_type(compression_algorithm):
      grpc.Compression.NoCompression for None, .Gzip for "gzip", .Deflate for "deflate" (_utils.py).
    - _utils.py, _get_inference_request: sets model_name and model_version ("" for the server's choice) always,
      id only when not empty, appends each input's tensor and its raw bytes to raw_input_contents, and each
      requested output's tensor (outputs=None: no outputs, the server returns all).
    - _infer_input.py, InferInput: name, shape (ClearField, then extend), datatype; set_data_from_numpy keeps
      numpy's tobytes() (little-endian on x86; BOOL one byte of 0 or 1) as the raw content, for BYTES
      serialize_byte_tensor's (tritonclient/utils: each element a 4-byte little-endian length, then its bytes),
      never typed contents.
    - _requested_output.py, InferRequestedOutput(name, class_count): parameters["classification"].int64_param
      when class_count is not 0.
    - _infer_result.py, InferResult.as_numpy(name): the index of the output named in response.outputs selects
      raw_output_contents[index]; BYTES are 4-byte little-endian lengths each followed by the bytes
      (tritonclient/utils deserialize_bytes_tensor), other datatypes frombuffer of the datatype (decode_raw).
    """

    INT32_MAX = 2 ** 31 - 1

    def __init__(self, c):
        self.c = c
        self.pb = c.pb
        self.channel = grpc.insecure_channel(c.target, options=[
            ("grpc.max_send_message_length", self.INT32_MAX),
            ("grpc.max_receive_message_length", self.INT32_MAX),
            ("grpc.keepalive_time_ms", self.INT32_MAX),
            ("grpc.keepalive_timeout_ms", 20000),
            ("grpc.keepalive_permit_without_calls", False),
            ("grpc.http2.max_pings_without_data", 2),
        ])
        self.stub = c.pb_grpc.GRPCInferenceServiceStub(self.channel)

    def close(self):
        self.channel.close()

    COMPRESSION = {None: grpc.Compression.NoCompression, "gzip": grpc.Compression.Gzip,
                   "deflate": grpc.Compression.Deflate}

    def infer(self, model_name, inputs, outputs, request_id="", compression_algorithm=None):
        """inputs: InferInputs; outputs: (name, class_count) pairs, or None; returns {output name: flat values} as
        as_numpy reads them."""
        pb = self.pb
        request = pb.ModelInferRequest()
        request.model_name = model_name
        request.model_version = ""
        if request_id != "":
            request.id = request_id
        for given in inputs:
            infer_input = pb.ModelInferRequest().InferInputTensor()
            infer_input.name = given.name
            infer_input.ClearField("shape")
            infer_input.shape.extend(given.shape)
            infer_input.datatype = given.datatype
            request.inputs.extend([infer_input])
            request.raw_input_contents.extend([given.raw])
        if outputs is not None:
            for name, class_count in outputs:
                output = pb.ModelInferRequest().InferRequestedOutputTensor()
                output.name = name
                if class_count != 0:
                    output.parameters["classification"].int64_param = class_count
                request.outputs.extend([output])
        self.c.exercised.add(f"{INFERENCE}/ModelInfer")
        response = self.stub.ModelInfer(request=request, metadata=(), timeout=60,
                                        compression=self.COMPRESSION[compression_algorithm])
        if request_id:
            require(response.id == request_id, f"id {response.id!r}, expected {request_id!r}")
        results = {}
        for index, output in enumerate(response.outputs):
            require(index < len(response.raw_output_contents),
                    f"output {output.name} has no raw_output_contents[{index}]; as_numpy would return nothing")
            results[output.name] = decode_raw(output, response.raw_output_contents[index])
        return results


class InferInput(collections.namedtuple("InferInput", "name shape datatype raw")):
    """One input as tritonclient's InferInput holds it after set_data_from_numpy: its raw bytes."""



def decode_raw(output, raw):
    """An output's raw_output_contents as as_numpy reads them, flat: numbers and bools of the datatype's size, little-
    endian, BYTES as length-prefixed elements; as many as its shape holds. BOOL bytes must be 0 or 1, as the protocol
    writes them (numpy would take any other byte for true)."""
    size = 1
    for d in output.shape:
        size *= d
    if output.datatype == "BYTES":
        values = length_prefixed_strings(raw)
    else:
        require(output.datatype in STRUCT_FORMATS, f"output {output.name} has datatype {output.datatype!r}")
        item = struct.calcsize(STRUCT_FORMATS[output.datatype])
        require(len(raw) == size * item, f"output {output.name}: {len(raw)} bytes of {output.datatype} for shape"
                                         f" {list(output.shape)}, expected {size * item}")
        if output.datatype == "BOOL":
            require(set(raw) <= {0, 1}, f"output {output.name}: BOOL bytes {set(raw)}, expected 0 and 1 only")
        values = struct.unpack(f"<{size}{STRUCT_FORMATS[output.datatype]}", raw)
    require(len(values) == size, f"output {output.name}: {len(values)} values for shape {list(output.shape)}")
    return list(values)


class Reflection:
    """One ServerReflectionInfo stream of grpc.reflection (v1 or v1alpha: the same messages), asked one question at a
    time as grpcurl asks, its messages encoded by hand: ServerReflectionRequest's file_by_filename is field 3,
    file_containing_symbol 4, list_services 7; ServerReflectionResponse's file_descriptor_response is field 4 (its
    file_descriptor_proto 1), list_services_response 6 (service 1, each a name 1), error_response 7 (message 2)."""

    def __init__(self, channel, method):
        self.questions = queue.Queue()
        answers = channel.stream_stream(method)(iter(self.questions.get, None), timeout=60)
        self.answers = iter(answers)
        self.files = {}

    def ask(self, field, text):
        self.questions.put(protobuf_field(field, text.encode()))
        answer = dict(protobuf_fields(next(self.answers)))
        if 7 in answer:
            raise Failure(f"reflection answered an error for field {field} {text!r}: "
                          f"{dict(protobuf_fields(answer[7])).get(2, b'').decode()}")
        return answer

    def services(self):
        listed = self.ask(7, "*").get(6, b"")
        return [dict(protobuf_fields(service))[1].decode() for number, service in protobuf_fields(listed)
                if number == 1]

    def learn(self, field, text):
        """Keeps every file of a file answer; reflection may send a file's imports with it."""
        answer = self.ask(field, text)
        require(4 in answer, f"no file_descriptor_response for field {field} {text!r}: {sorted(answer)}")
        for number, serialized in protobuf_fields(answer[4]):
            if number == 1:
                file = descriptor_pb2.FileDescriptorProto.FromString(serialized)
                self.files[file.name] = file

    def pool(self, symbol):
        """A descriptor pool of the file declaring symbol and every file it imports, asked for by name."""
        self.learn(4, symbol)
        declaring = next(name for name, file in self.files.items()
                         if any(f"{file.package}.{service.name}" == symbol for service in file.service))
        pool = descriptor_pool.DescriptorPool()
        added = set()

        def add(name):
            if name in added:
                return
            if name not in self.files:
                self.learn(3, name)
            for dependency in self.files[name].dependency:
                add(dependency)
            pool.Add(self.files[name])
            added.add(name)

        add(declaring)
        return pool

    def close(self):
        self.questions.put(None)


def message_class(pool, descriptor):
    """The class of a message type of pool: GetMessageClass from protobuf 4.22 on, GetPrototype before it (Debian
    12's python3-protobuf is 4.21)."""
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def protobuf_field(number, value):
    """One length-delimited field: its key, its length, its bytes."""
    return varint(number << 3 | 2) + varint(len(value)) + value


def varint(value):
    encoded = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        encoded.append(low | (0x80 if value else 0))
        if not value:
            return bytes(encoded)


def protobuf_fields(data):
    """The (number, value) of each field of a message: an int for a varint, bytes for a length-delimited field."""
    fields = []
    position = 0

    def read_varint():
        nonlocal position
        value, shift = 0, 0
        while True:
            byte = data[position]
            position += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    while position < len(data):
        key = read_varint()
        if key & 7 == 0:
            fields.append((key >> 3, read_varint()))
        elif key & 7 == 2:
            length = read_varint()
            fields.append((key >> 3, data[position:position + length]))
            position += length
        else:
            raise Failure(f"reflection sent wire type {key & 7}, which its messages do not use")
    return fields


def length_prefixed(elements):
    """BYTES elements as raw contents (tritonclient/utils serialize_byte_tensor): a 4-byte little-endian length
    each, then its bytes."""
    return b"".join(struct.pack("<I", len(element)) + element for element in elements)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="HOST:PORT of the gRPC endpoint")
    parser.add_argument("--proto-dir", action="append", required=True,
                        help="a folder holding grpc_service.proto or health.proto (repeat)")
    parser.add_argument("--work", required=True, help="a folder for the generated stubs")
    parser.add_argument("--repository", required=True, help="the model repository the server serves")
    parser.add_argument("--model", required=True, help="the model to infer with (version 1)")
    parser.add_argument("--reload-model", required=True, help="a copy of the model to unload and load again")
    parser.add_argument("--mixed-model", required=True, help="MixedGraph's graph, served from model.onnx alone")
    parser.add_argument("--data", required=True, help="the folder of the Fashion-MNIST .gz files")
    parser.add_argument("--expected", required=True, help="the reference logits of the first --images images")
    parser.add_argument("--images", type=int, default=100)
    args = parser.parse_args()

    c = None
    try:
        pb, pb_grpc, model_config_pb, health_pb, health_pb_grpc = generate_stubs(args.proto_dir, args.work)
        c = Client(args.server, pb, pb_grpc, model_config_pb, health_pb, health_pb_grpc)
        print(f"grpcio {grpc.__version__} (C-core), server {args.server}", flush=True)
        Checks(c, args).run()
        MixedGraphChecks(c, args.mixed_model).run()
        c.channel.close()
    except Failure as e:
        print(f"FAIL: {c.current if c else 'setup'}: {e}", flush=True)
        return 1
    except grpc.RpcError as e:
        print(f"FAIL: {c.current if c else 'setup'}: unexpected {e.code().name}: {e.details()}", flush=True)
        return 1
    print("exercised: " + " ".join(sorted(c.exercised)))
    print(f"all {c.passed} checks ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
