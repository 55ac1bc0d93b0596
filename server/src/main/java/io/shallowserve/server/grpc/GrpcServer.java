package io.shallowserve.server.grpc;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The gRPC front-end on grpc-java's own server (Netty), the reference implementation every gRPC client is tested
 * against, with its protections set: message and metadata size limits, a keepalive policy, connection idle time
 * and age, a handshake timeout and a bound on the rate of stream resets; requests decoded so that bad ones get a
 * status ({@link RequestDecoding}); gzip and deflate messages each way ({@link GrpcCompression}); and the gauge of
 * open calls.
 *
 * <p>Calls that decode tensors or touch the repository (ModelInfer, ModelStreamInfer, the repository RPCs) run on the
 * front-end workers, platform threads shared with HTTP; inference itself runs on the model instances' threads, never
 * here.
 * Everything else (health, readiness, metadata, statistics, reflection) is cheap and answers on the connection's
 * event loop, so it stays responsive however busy the workers are.
 */
public final class GrpcServer {

    /** The methods that run on the workers; the rest answer on the event loop. */
    private static final Set<String> WORKER_METHODS = Set.of(
            GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getRepositoryIndexMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod().getFullMethodName());

    /** Whether the calls of {@code fullMethodName} run on the workers rather than on their event loop. */
    static boolean runsOnWorkers(String fullMethodName) {
        return WORKER_METHODS.contains(fullMethodName);
    }

    /**
     * The settings of {@code shallowserve.grpc} in application.yaml.
     *
     * @param host                      the address to listen on
     * @param port                      the port; 0 picks a free one
     * @param maxMessageBytes           the largest message a client may send (RESOURCE_EXHAUSTED beyond)
     * @param maxMetadataBytes          the largest header block a client may send
     * @param maxCallsPerConnection     concurrent calls one connection may have open
     * @param keepAliveTime             how long a connection is silent before the server pings the client
     * @param keepAliveTimeout          how long the server waits for the ping's answer before closing
     * @param permitKeepAliveTime       the most often a client may ping (more often: GOAWAY ENHANCE_YOUR_CALM)
     * @param maxConnectionIdle         a connection without calls for this long is closed (GOAWAY)
     * @param maxConnectionAge          a connection is asked to go away after this long, so that clients
     *                                  reconnect and spread over replicas
     * @param maxConnectionAgeGrace     how long calls in flight may still finish on a connection asked to go away
     * @param handshakeTimeout          how long a new connection may take to send its HTTP/2 preface
     * @param maxRstFramesPerWindow     RST_STREAM frames a connection may send per {@code rstFramesWindow}; more
     *                                  close it (GOAWAY ENHANCE_YOUR_CALM)
     * @param rstFramesWindow           the window of {@code maxRstFramesPerWindow}, in whole seconds
     */
    public record Options(String host, int port, int maxMessageBytes, int maxMetadataBytes,
            int maxCallsPerConnection, Duration keepAliveTime, Duration keepAliveTimeout,
            Duration permitKeepAliveTime, Duration maxConnectionIdle, Duration maxConnectionAge,
            Duration maxConnectionAgeGrace, Duration handshakeTimeout, int maxRstFramesPerWindow,
            Duration rstFramesWindow) {

        public Options {
            if (rstFramesWindow.toSeconds() < 1 || rstFramesWindow.toNanosPart() != 0) {
                throw new IllegalArgumentException("shallowserve.grpc.rst-frames-window is " + rstFramesWindow
                        + "; it counts whole seconds, at least PT1S");
            }
        }
    }

    /**
     * grpc-java logs every message it cannot deframe (a length over the limit, a compressed flag without
     * grpc-encoding, a message cut short: a client's fault, which that client gets as a status) at WARNING with a
     * stack trace. This logger, kept here so that its filter lasts, logs such a record as one line: the message and
     * the status.
     */
    private static final Logger DEFRAMING_LOG =
            Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerStream");

    static {
        DEFRAMING_LOG.setFilter(record -> {
            if (record.getThrown() != null) {
                record.setMessage(record.getMessage() + ": " + record.getThrown());
                record.setThrown(null);
            }
            return true;
        });
    }

    private final Server server;

    private GrpcServer(Server server) {
        this.server = server;
    }

    /**
     * Starts serving the inference service, health and reflection, with the gauge of open calls in
     * {@code registry}.
     *
     * @param workers where the calls that decode tensors or touch the repository run
     */
    public static GrpcServer start(Options options, InferenceGrpcService inference, GrpcHealth health,
            Executor workers, MeterRegistry registry) {
        ServerCallExecutorSupplier eventLoopUnlessWorkers = new ServerCallExecutorSupplier() {
            @Override
            public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
                return runsOnWorkers(call.getMethodDescriptor().getFullMethodName()) ? null : Runnable::run;
            }
        };
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(options.host(), options.port()))
                .executor(workers)
                .callExecutor(eventLoopUnlessWorkers)
                .maxInboundMessageSize(options.maxMessageBytes())
                .maxInboundMetadataSize(options.maxMetadataBytes())
                .maxConcurrentCallsPerConnection(options.maxCallsPerConnection())
                .keepAliveTime(options.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .keepAliveTimeout(options.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveTime(options.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(options.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
                .maxConnectionAge(options.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
                .maxConnectionAgeGrace(options.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
                .handshakeTimeout(options.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .maxRstFramesPerWindow(options.maxRstFramesPerWindow(),
                        Math.toIntExact(options.rstFramesWindow().toSeconds()))
                .decompressorRegistry(GrpcCompression.decompressors())
                .compressorRegistry(GrpcCompression.compressors())
                .intercept(new GrpcCompression())
                .intercept(new OpenCallsInterceptor(registry))
                .addService(ServerInterceptors.intercept(RequestDecoding.of(inference.bindService()),
                        new OverloadInterceptor(inference::anyQueueHasRoom)))
                .addService(RequestDecoding.of(health.service().bindService()))
                .addService(RequestDecoding.of(ProtoReflectionServiceV1.newInstance().bindService()))
                .addService(RequestDecoding.of(reflectionV1Alpha()))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve gRPC on " + options.host() + ":" + options.port() + ": "
                    + e.getMessage(), e);
        }
        return new GrpcServer(server);
    }

    /**
     * Reflection's first version, v1alpha, which grpc-java keeps deprecated beside v1: Postman, Evans, k6, grpc_cli
     * and older grpcurl ask only v1alpha (newer grpcurl asks v1, then v1alpha).
     */
    @SuppressWarnings("deprecation")
    private static ServerServiceDefinition reflectionV1Alpha() {
        return ProtoReflectionService.newInstance().bindService();
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    /** Stops taking calls, gives those in flight {@code grace} to finish, then cancels what is left. */
    public void stop(Duration grace) {
        server.shutdown();
        try {
            if (!server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                server.shutdownNow();
                server.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
