package io.shallowserve.server.grpc;

import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * gRPC message compression: gzip, and deflate as grpc C-core names the zlib format, which tritonclient.grpc sends
 * with {@code compression_algorithm="gzip"} or {@code "deflate"} (grpc.Compression.Gzip, .Deflate); grpc-java has
 * gzip only.
 *
 * <p>A compressed request is held to the message limit as decompressed: grpc-java counts the bytes its decompressor
 * yields against {@code maxInboundMessageSize} as the message is parsed, and ends the call with RESOURCE_EXHAUSTED
 * one past it (MessageDeframer's SizeEnforcingInputStream; {@link RequestDecoding} keeps that status), so a
 * decompression bomb costs at most the limit.
 *
 * <p>A response is compressed as its request was, in the same coding; an uncompressed request gets an uncompressed
 * response. Every client lists gzip in {@code grpc-accept-encoding} (grpc-java "gzip", C-core
 * "identity,deflate,gzip"), so that list alone would compress every response to every client, spending CPU on small
 * messages that cost less to send than to compress on a local network. Triton compresses responses only where its
 * operator sets {@code --grpc-infer-response-compression-level}, for every client; a client that compresses its own
 * requests has chosen bytes over CPU for itself, and gets the same back. grpc-java sends it uncompressed anyway where
 * the client's {@code grpc-accept-encoding} lacks the coding.
 */
final class GrpcCompression implements ServerInterceptor {

    private static final Metadata.Key<String> MESSAGE_ENCODING =
            Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
    private static final Codec GZIP = new Codec.Gzip();
    private static final Codec DEFLATE = new Deflate();

    /** The codings requests may come in: grpc-java's (identity, gzip) and deflate, all advertised. */
    static DecompressorRegistry decompressors() {
        return DecompressorRegistry.getDefaultInstance().with(DEFLATE, true);
    }

    /** The codings responses may go out in. */
    static CompressorRegistry compressors() {
        CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
        compressors.register(Codec.Identity.NONE);
        compressors.register(GZIP);
        compressors.register(DEFLATE);
        return compressors;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String encoding = headers.get(MESSAGE_ENCODING);
        if (GZIP.getMessageEncoding().equals(encoding) || DEFLATE.getMessageEncoding().equals(encoding)) {
            call.setCompression(encoding);
        }
        return next.startCall(call, headers);
    }

    /** grpc C-core's "deflate": the zlib format (zlib's deflateInit2 with 15 window bits). */
    private static final class Deflate implements Codec {

        @Override
        public String getMessageEncoding() {
            return "deflate";
        }

        @Override
        public OutputStream compress(OutputStream os) {
            return new DeflaterOutputStream(os);
        }

        @Override
        public InputStream decompress(InputStream is) {
            return new InflaterInputStream(is);
        }
    }
}
