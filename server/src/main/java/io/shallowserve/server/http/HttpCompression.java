package io.shallowserve.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.http.encoding.ContentDecoder;
import io.helidon.http.encoding.ContentEncoder;
import io.helidon.http.encoding.ContentEncoding;
import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.http.encoding.ContentEncodingContextConfig;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * The content codings of HTTP bodies, both ways: gzip and deflate, which tritonclient.http sends with
 * {@code request_compression_algorithm} and asks for with {@code response_compression_algorithm}. deflate is the
 * zlib format (RFC 9110 §8.4.1.2), what tritonclient's {@code zlib.compress} makes.
 *
 * <p>Requests: Helidon decodes a body whose {@code Content-Encoding} is one of these as the handler reads it, and
 * counts the decoded bytes against {@code server.max-payload-size} ({@code shallowserve.limits.message-bytes}): one
 * past it ends the read with 413 and the connection (Helidon 4.5.0's {@code DecodedLimiter}), so a decompression
 * bomb costs at most the limit in memory and the time to inflate it. A body in any other coding is refused by Helidon
 * before the handler runs, which {@link JsonResponses} answers with 415.
 *
 * <p>Responses: a successful one is compressed in the coding the request's {@code Accept-Encoding} prefers by its
 * q-values, uncompressed without one. Errors are not compressed, as Triton does not compress them: tritonclient.http
 * reads an error's body as UTF-8 JSON whatever its Content-Encoding. Helidon compresses the bodies of a listener
 * with the coder its context chooses from the request's headers alone, without the response's status, so this class
 * is also the routing's filter that chooses the coding and, as the response is sent, tells the context. Helidon's own
 * choice takes the first coding it supports whatever its q-value, so it would answer {@code gzip;q=0} ("anything but
 * gzip") with gzip.
 */
final class HttpCompression implements ContentEncodingContext, Filter {

    static final String GZIP = "gzip";
    static final String DEFLATE = "deflate";
    static final String IDENTITY = "identity";
    /** The codings a request body may have besides identity, as a 415 names them in its Accept-Encoding. */
    static final String REQUEST_CODINGS = GZIP + ", " + DEFLATE;

    /** A qvalue of RFC 9110 §12.4.2: 0 to 1 with at most three decimals. */
    private static final Pattern QVALUE = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?");

    /** Helidon's context of the two codings, which finds each coder by its name. */
    private final ContentEncodingContext codings = ContentEncodingContext.builder()
            .contentEncodingsDiscoverServices(false)
            .addContentEncoding(new Coding(GZIP, Set.of(GZIP, "x-gzip"), LazyGzipInputStream::new, network -> {
                try {
                    return new GZIPOutputStream(network);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }))
            .addContentEncoding(new Coding(DEFLATE, Set.of(DEFLATE), InflaterInputStream::new,
                    DeflaterOutputStream::new))
            .build();

    /**
     * The coding of the response this thread is sending, from just before it is sent until it is; none (null) for an
     * uncompressed one. Helidon asks whether and how to encode a body in between, on the thread that sends it
     * (ServerResponseBase.entityBytes, contentEncode), and gives the encoder only the request's headers.
     */
    private final ThreadLocal<String> sending = new ThreadLocal<>();

    /** Chooses the coding of the request's response from its Accept-Encoding, and applies it if it succeeds. */
    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        String coding = request.headers().contains(HeaderNames.ACCEPT_ENCODING)
                ? preferredCoding(String.join(",", request.headers().get(HeaderNames.ACCEPT_ENCODING).allValues()))
                : IDENTITY;
        // Set for every response, so that nothing a failed send left on this thread reaches the next one.
        response.beforeSend(() -> sending.set(
                response.status().family() == Status.Family.SUCCESSFUL && !coding.equals(IDENTITY) ? coding : null));
        response.whenSent(sending::remove);
        chain.proceed();
    }

    /**
     * Whether the response being sent is compressed: Helidon copies a body through the encoder wherever this is true,
     * even to leave it as it is.
     */
    @Override
    public boolean contentEncodingEnabled() {
        return sending.get() != null;
    }

    @Override
    public boolean contentDecodingEnabled() {
        return true;
    }

    /** Coding names are case-insensitive (RFC 9110 §8.4.1). */
    @Override
    public boolean contentEncodingSupported(String encodingId) {
        return codings.contentEncodingSupported(normalized(encodingId));
    }

    @Override
    public boolean contentDecodingSupported(String encodingId) {
        return codings.contentDecodingSupported(normalized(encodingId));
    }

    @Override
    public ContentEncoder encoder(String encodingId) {
        return codings.encoder(normalized(encodingId));
    }

    @Override
    public ContentDecoder decoder(String encodingId) {
        return codings.decoder(normalized(encodingId));
    }

    /** The encoder of the response being sent (the filter chose it). */
    @Override
    public ContentEncoder encoder(Headers requestHeaders) {
        String coding = sending.get();
        return coding == null ? ContentEncoder.NO_OP : codings.encoder(coding);
    }

    @Override
    public ContentEncodingContextConfig prototype() {
        return codings.prototype();
    }

    /**
     * The coding of a response to a request with this Accept-Encoding (RFC 9110 §12.5.3): gzip or deflate, whichever
     * has the higher q-value (gzip on a tie), directly or through {@code *}; identity where neither is acceptable
     * (q=0 or absent) or identity itself is given a higher q-value. Identity not named is acceptable but last, as a
     * client that names a compression wants it. Elements with a malformed q-value are ignored.
     */
    static String preferredCoding(String acceptEncoding) {
        Map<String, Double> weights = new HashMap<>();
        for (String element : acceptEncoding.split(",")) {
            String[] parts = element.split(";");
            String coding = normalized(parts[0]);
            Double weight = 1.0;
            for (int i = 1; i < parts.length && weight != null; i++) {
                String parameter = parts[i].trim();
                if (parameter.length() >= 2 && parameter.substring(0, 2).equalsIgnoreCase("q=")) {
                    String value = parameter.substring(2).trim();
                    weight = QVALUE.matcher(value).matches() ? Double.valueOf(value) : null;
                }
            }
            if (!coding.isEmpty() && weight != null) {
                weights.putIfAbsent(coding.equals("x-gzip") ? GZIP : coding, weight);
            }
        }
        double any = weights.getOrDefault("*", 0.0);
        double identity = weights.getOrDefault(IDENTITY, weights.containsKey("*") ? any : 0.0);
        String best = IDENTITY;
        double bestWeight = 0;
        for (String coding : List.of(GZIP, DEFLATE)) {
            double weight = weights.getOrDefault(coding, any);
            if (weight > bestWeight) {
                best = coding;
                bestWeight = weight;
            }
        }
        return bestWeight >= identity ? best : IDENTITY;
    }

    private static String normalized(String coding) {
        return coding.trim().toLowerCase(Locale.ROOT);
    }

    /** One coding: its names, how a request body is decoded, and how a response body is encoded. */
    private record Coding(String name, Set<String> ids, ContentDecoder decoder, ContentEncoder streamEncoder)
            implements ContentEncoding {

        @Override
        public String type() {
            return name;
        }

        @Override
        public boolean supportsEncoding() {
            return true;
        }

        @Override
        public boolean supportsDecoding() {
            return true;
        }

        @Override
        public ContentEncoder encoder() {
            return new ContentEncoder() {
                @Override
                public OutputStream apply(OutputStream network) {
                    return streamEncoder.apply(network);
                }

                /** The response's length is the compressed one, which Helidon sets once the body is encoded. */
                @Override
                public void headers(WritableHeaders<?> headers) {
                    headers.set(HeaderNames.CONTENT_ENCODING, name);
                    headers.remove(HeaderNames.CONTENT_LENGTH);
                    headers.setIfAbsent(HeaderValues.create(HeaderNames.VARY, HeaderNames.ACCEPT_ENCODING_NAME));
                }
            };
        }
    }

    /**
     * gzip's decoder, which reads the gzip header at the body's first read rather than when it is made: Helidon makes
     * the decoder before the body's stream filters wrap it, and a read outside them would have no read timeout
     * ({@link ReadTimeouts}) and a failure no 400 ({@link ConnectionCloseFilter}).
     */
    private static final class LazyGzipInputStream extends InputStream {

        private final InputStream network;
        private GZIPInputStream gzip;

        LazyGzipInputStream(InputStream network) {
            this.network = network;
        }

        @Override
        public int read() throws IOException {
            return gzip().read();
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            return gzip().read(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            if (gzip != null) {
                gzip.close();
            } else {
                network.close();
            }
        }

        private GZIPInputStream gzip() throws IOException {
            if (gzip == null) {
                gzip = new GZIPInputStream(network);
            }
            return gzip;
        }
    }
}
