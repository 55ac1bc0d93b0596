package io.shallowserve.server.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small HTTP/2 client over a plain socket for the gRPC fault tests, independent of grpc-java and Netty: it sends
 * exactly the frames a test builds (aborted uploads, malformed gRPC messages, resets) and reads back what the server
 * answers.
 *
 * <p>HPACK (RFC 7541): header fields go out as literals with a literal name and without Huffman coding, as gRPC
 * C-core sends {@code :path} and {@code :authority}; a field already in the dynamic table (sent before with
 * incremental indexing) goes out as its index. The decoder reads every representation, with both tables, except
 * Huffman-coded strings, which grpc-java's encoder never sends.
 *
 * <p>Flow control: {@link #data} waits for the server's window (SETTINGS_INITIAL_WINDOW_SIZE, WINDOW_UPDATE); the
 * frames read meanwhile are kept for {@link #read}. A client connection answers SETTINGS and PING as RFC 9113
 * requires; a {@linkplain #connectWithoutAnswers silent} one answers nothing. Every read waits at most
 * {@link #READ_TIMEOUT}.
 */
final class Http2Frames implements Closeable {

    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int SETTINGS = 0x4;
    static final int PING = 0x6;
    static final int GOAWAY = 0x7;
    static final int WINDOW_UPDATE = 0x8;
    static final int CONTINUATION = 0x9;

    static final int END_STREAM = 0x1;
    static final int ACK = 0x1;
    static final int END_HEADERS = 0x4;
    static final int PADDED = 0x8;
    static final int PRIORITY = 0x20;

    static final int NO_ERROR = 0x0;
    static final int CANCEL = 0x8;
    static final int ENHANCE_YOUR_CALM = 0xb;

    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    /** The frame size every peer accepts (SETTINGS_MAX_FRAME_SIZE's initial value). */
    private static final int MAX_FRAME = 16384;
    private static final int INITIAL_WINDOW = 65535;

    /** A header field; names and values are octets, kept as ISO-8859-1 strings. */
    record Header(String name, String value) {}

    /** The literal representations of RFC 7541 §6.2, with their first byte (the name index 0: a literal name). */
    enum Literal {
        WITH_INCREMENTAL_INDEXING(0x40),
        WITHOUT_INDEXING(0x00),
        NEVER_INDEXED(0x10);

        private final int pattern;

        Literal(int pattern) {
            this.pattern = pattern;
        }
    }

    /**
     * One frame as received; {@code headers} is the decoded header block of a HEADERS frame (with its
     * CONTINUATIONs), else empty.
     */
    record Frame(int type, int flags, int streamId, byte[] payload, Map<String, String> headers) {

        boolean has(int flag) {
            return (flags & flag) != 0;
        }

        /** The error code of RST_STREAM, or of GOAWAY. */
        int errorCode() {
            ByteBuffer buffer = ByteBuffer.wrap(payload);
            return type == GOAWAY ? buffer.getInt(4) : buffer.getInt(0);
        }
    }

    /**
     * What the server answered on one stream: response headers, DATA bytes and trailers (a trailers-only answer has
     * only trailers), or the RST_STREAM or GOAWAY error code that ended it instead (-1: none).
     */
    record Response(Map<String, String> headers, byte[] data, Map<String, String> trailers, int resetCode,
            int goAwayCode) {

        String grpcStatus() {
            return trailers.get("grpc-status");
        }

        String grpcMessage() {
            return trailers.get("grpc-message");
        }

        /** The protobuf bytes of the first gRPC message of the DATA (5-byte prefix: flag, big-endian length). */
        byte[] message() {
            int length = ByteBuffer.wrap(data, 1, 4).getInt();
            return Arrays.copyOfRange(data, 5, 5 + length);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final boolean answers;
    private final Deque<Frame> received = new ArrayDeque<>();
    private final HpackTable encoderTable = new HpackTable();
    private final HpackTable decoderTable = new HpackTable();
    private final Map<Integer, Long> streamWindows = new HashMap<>();
    private long connectionWindow = INITIAL_WINDOW;
    private long initialStreamWindow = INITIAL_WINDOW;

    private Http2Frames(Socket socket, boolean answers) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.answers = answers;
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        socket.setTcpNoDelay(true);
        out.write(PREFACE);
        writeFrame(SETTINGS, 0, 0, new byte[0]);
        out.flush();
    }

    /** Connects to 127.0.0.1:{@code port} and sends the client preface (the magic and an empty SETTINGS). */
    static Http2Frames connect(int port) throws IOException {
        return new Http2Frames(new Socket(InetAddress.getLoopbackAddress(), port), true);
    }

    /** {@link #connect}, but the connection never answers the server's SETTINGS or PING. */
    static Http2Frames connectWithoutAnswers(int port) throws IOException {
        return new Http2Frames(new Socket(InetAddress.getLoopbackAddress(), port), false);
    }

    /** The request headers of a gRPC call of {@code method} ("package.Service/Method"). */
    static List<Header> grpcRequest(String method, int port) {
        return List.of(
                new Header(":method", "POST"),
                new Header(":scheme", "http"),
                new Header(":path", "/" + method),
                new Header(":authority", "127.0.0.1:" + port),
                new Header("content-type", "application/grpc"),
                new Header("te", "trailers"));
    }

    /** A gRPC length-prefixed message: flag 0 (not compressed), the length, the bytes. */
    static byte[] grpcMessage(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put(grpcPrefix(false, message.length)).put(message).array();
    }

    /** The 5-byte prefix of a gRPC message: the compressed flag and a length, an unsigned 32-bit integer. */
    static byte[] grpcPrefix(boolean compressed, long length) {
        return ByteBuffer.allocate(5).put((byte) (compressed ? 1 : 0)).putInt((int) length).array();
    }

    /** Sends a header block on {@code streamId}, each field as {@code literal} unless the dynamic table has it. */
    void headers(int streamId, List<Header> fields, Literal literal, boolean endStream) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        for (Header field : fields) {
            int index = encoderTable.indexOf(field);
            if (index > 0) {
                writeInteger(block, 0x80, 7, index);
                continue;
            }
            block.write(literal.pattern);
            writeString(block, field.name());
            writeString(block, field.value());
            if (literal == Literal.WITH_INCREMENTAL_INDEXING) {
                encoderTable.add(field);
            }
        }
        if (block.size() > MAX_FRAME) {
            throw new IllegalArgumentException("a header block of " + block.size() + " bytes needs CONTINUATION");
        }
        streamWindows.putIfAbsent(streamId, initialStreamWindow);
        writeFrame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, block.toByteArray());
        out.flush();
    }

    /** Sends {@code bytes} as DATA frames on {@code streamId}, waiting for flow-control window as needed. */
    void data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        int offset = 0;
        do {
            int length = Math.min(bytes.length - offset, MAX_FRAME);
            while (length > 0 && Math.min(connectionWindow, streamWindows.get(streamId)) < length) {
                received.add(receive());
            }
            boolean last = offset + length == bytes.length;
            writeFrame(DATA, last && endStream ? END_STREAM : 0, streamId,
                    Arrays.copyOfRange(bytes, offset, offset + length));
            connectionWindow -= length;
            streamWindows.merge(streamId, (long) -length, Long::sum);
            offset += length;
        } while (offset < bytes.length);
        out.flush();
    }

    void rstStream(int streamId, int errorCode) throws IOException {
        writeFrame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(errorCode).array());
        out.flush();
    }

    /**
     * Sends a PING and reads until its ACK: the server has then read every frame sent before it. The frames read
     * meanwhile are kept for {@link #read}.
     */
    void ping() throws IOException {
        byte[] opaque = ByteBuffer.allocate(8).putLong(System.nanoTime()).array();
        writeFrame(PING, 0, 0, opaque);
        out.flush();
        while (true) {
            Frame frame = receive();
            if (frame.type() == PING && frame.has(ACK) && Arrays.equals(frame.payload(), opaque)) {
                return;
            }
            received.add(frame);
        }
    }

    /** The next frame from the server. */
    Frame read() throws IOException {
        return received.isEmpty() ? receive() : received.poll();
    }

    /**
     * Reads stream {@code streamId}'s answer: until its trailers (END_STREAM), its RST_STREAM, or a GOAWAY; frames
     * of other streams are dropped.
     */
    Response awaitResponse(int streamId) throws IOException {
        Map<String, String> headers = Map.of();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        while (true) {
            Frame frame = read();
            if (frame.type() == GOAWAY) {
                return new Response(headers, data.toByteArray(), Map.of(), -1, frame.errorCode());
            }
            if (frame.streamId() != streamId) {
                continue;
            }
            switch (frame.type()) {
                case HEADERS -> {
                    if (frame.has(END_STREAM)) {
                        return new Response(headers, data.toByteArray(), frame.headers(), -1, -1);
                    }
                    headers = frame.headers();
                }
                case DATA -> {
                    data.write(frame.payload());
                    if (frame.has(END_STREAM)) {
                        return new Response(headers, data.toByteArray(), Map.of(), -1, -1);
                    }
                }
                case RST_STREAM -> {
                    return new Response(headers, data.toByteArray(), Map.of(), frame.errorCode(), -1);
                }
                default -> { }
            }
        }
    }

    /**
     * Reads every frame until the server closes the connection (end of stream, or a reset when it closed with our
     * frames unread), waiting at most {@code bound}.
     *
     * @throws SocketTimeoutException if it is still open then
     */
    List<Frame> readUntilClosed(Duration bound) throws IOException {
        socket.setSoTimeout((int) bound.toMillis());
        long deadline = System.nanoTime() + bound.toNanos();
        List<Frame> frames = new ArrayList<>(received);
        received.clear();
        try {
            while (true) {
                if (System.nanoTime() > deadline) {
                    throw new SocketTimeoutException("the server kept the connection open for " + bound);
                }
                frames.add(receive());
            }
        } catch (EOFException | SocketException closed) {
            return frames;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Reads one frame from the socket and does what the protocol asks of a client for it. */
    private Frame receive() throws IOException {
        byte[] header = new byte[9];
        in.readFully(header);
        ByteBuffer fields = ByteBuffer.wrap(header);
        int length = (fields.getShort() & 0xffff) << 8 | fields.get() & 0xff;
        int type = fields.get() & 0xff;
        int flags = fields.get() & 0xff;
        int streamId = fields.getInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Map<String, String> headers = Map.of();
        switch (type) {
            case SETTINGS -> {
                if ((flags & ACK) == 0) {
                    applySettings(payload);
                    if (answers) {
                        writeFrame(SETTINGS, ACK, 0, new byte[0]);
                        out.flush();
                    }
                }
            }
            case PING -> {
                if ((flags & ACK) == 0 && answers) {
                    writeFrame(PING, ACK, 0, payload);
                    out.flush();
                }
            }
            case WINDOW_UPDATE -> {
                int increment = ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
                if (streamId == 0) {
                    connectionWindow += increment;
                } else {
                    streamWindows.merge(streamId, (long) increment, Long::sum);
                }
            }
            case HEADERS -> headers = decode(headerBlock(flags, payload));
            default -> { }
        }
        return new Frame(type, flags, streamId, payload, headers);
    }

    private void applySettings(byte[] payload) {
        ByteBuffer settings = ByteBuffer.wrap(payload);
        while (settings.remaining() >= 6) {
            int id = settings.getShort() & 0xffff;
            long value = settings.getInt() & 0xffffffffL;
            if (id == SETTINGS_INITIAL_WINDOW_SIZE) {
                // RFC 9113 §6.9.2: the change applies to every open stream's window.
                long delta = value - initialStreamWindow;
                streamWindows.replaceAll((stream, window) -> window + delta);
                initialStreamWindow = value;
            } else if (id == SETTINGS_HEADER_TABLE_SIZE && value < HpackTable.DEFAULT_SIZE) {
                throw new IllegalStateException("the server shrank its HPACK table to " + value
                        + "; this client does not send table size updates");
            }
        }
    }

    /** The header block of a HEADERS frame without padding and priority, with its CONTINUATION frames appended. */
    private byte[] headerBlock(int flags, byte[] payload) throws IOException {
        int start = 0;
        int end = payload.length;
        if ((flags & PADDED) != 0) {
            start = 1;
            end -= payload[0] & 0xff;
        }
        if ((flags & PRIORITY) != 0) {
            start += 5;
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(payload, start, end - start);
        boolean endHeaders = (flags & END_HEADERS) != 0;
        while (!endHeaders) {
            byte[] header = new byte[9];
            in.readFully(header);
            ByteBuffer fields = ByteBuffer.wrap(header);
            int length = (fields.getShort() & 0xffff) << 8 | fields.get() & 0xff;
            if ((fields.get() & 0xff) != CONTINUATION) {
                throw new IOException("a header block continued with another frame than CONTINUATION");
            }
            endHeaders = (fields.get() & END_HEADERS) != 0;
            block.write(in.readNBytes(length));
        }
        return block.toByteArray();
    }

    /** Decodes an HPACK header block (RFC 7541 §6) into its fields, in order. */
    private Map<String, String> decode(byte[] block) {
        Map<String, String> fields = new LinkedHashMap<>();
        ByteBuffer in = ByteBuffer.wrap(block);
        while (in.hasRemaining()) {
            int first = in.get(in.position()) & 0xff;
            Header field;
            if ((first & 0x80) != 0) {
                field = decoderTable.get(readInteger(in, 7));
            } else if ((first & 0x40) != 0) {
                field = readLiteral(in, 6);
                decoderTable.add(field);
            } else if ((first & 0x20) != 0) {
                decoderTable.resize(readInteger(in, 5));
                continue;
            } else {
                field = readLiteral(in, 4);
            }
            fields.put(field.name(), field.value());
        }
        return fields;
    }

    private Header readLiteral(ByteBuffer in, int prefixBits) {
        int nameIndex = readInteger(in, prefixBits);
        String name = nameIndex == 0 ? readString(in) : decoderTable.get(nameIndex).name();
        return new Header(name, readString(in));
    }

    private static String readString(ByteBuffer in) {
        boolean huffman = (in.get(in.position()) & 0x80) != 0;
        int length = readInteger(in, 7);
        if (huffman) {
            throw new IllegalStateException("a Huffman-coded header string; this decoder reads only plain ones");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** An HPACK integer with an N-bit prefix (RFC 7541 §5.1); the first byte's other bits are the caller's. */
    private static int readInteger(ByteBuffer in, int prefixBits) {
        int mask = (1 << prefixBits) - 1;
        int value = in.get() & mask;
        if (value < mask) {
            return value;
        }
        int shift = 0;
        int next;
        do {
            next = in.get() & 0xff;
            value += (next & 0x7f) << shift;
            shift += 7;
        } while ((next & 0x80) != 0);
        return value;
    }

    private static void writeInteger(ByteArrayOutputStream out, int pattern, int prefixBits, int value) {
        int mask = (1 << prefixBits) - 1;
        if (value < mask) {
            out.write(pattern | value);
            return;
        }
        out.write(pattern | mask);
        value -= mask;
        while (value >= 0x80) {
            out.write(value & 0x7f | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** A string literal without Huffman coding: H = 0, the length, the octets. */
    private static void writeString(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        writeInteger(out, 0x00, 7, bytes.length);
        out.writeBytes(bytes);
    }

    private void writeFrame(int type, int flags, int streamId, byte[] payload) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(9)
                .put((byte) (payload.length >>> 16)).putShort((short) payload.length)
                .put((byte) type).put((byte) flags).putInt(streamId);
        out.write(header.array());
        out.write(payload);
    }

    /** The HPACK static table (RFC 7541 Appendix A) followed by one direction's dynamic table (§2.3). */
    private static final class HpackTable {

        static final int DEFAULT_SIZE = 4096;

        private static final String[] STATIC = {
            ":authority", ":method GET", ":method POST", ":path /", ":path /index.html", ":scheme http",
            ":scheme https", ":status 200", ":status 204", ":status 206", ":status 304", ":status 400",
            ":status 404", ":status 500", "accept-charset", "accept-encoding gzip, deflate", "accept-language",
            "accept-ranges", "accept", "access-control-allow-origin", "age", "allow", "authorization",
            "cache-control", "content-disposition", "content-encoding", "content-language", "content-length",
            "content-location", "content-range", "content-type", "cookie", "date", "etag", "expect", "expires",
            "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
            "last-modified", "link", "location", "max-forwards", "proxy-authenticate", "proxy-authorization",
            "range", "referer", "refresh", "retry-after", "server", "set-cookie", "strict-transport-security",
            "transfer-encoding", "user-agent", "vary", "via", "www-authenticate"};

        /** Newest first: index STATIC.length + 1 is the newest entry. */
        private final Deque<Header> dynamic = new ArrayDeque<>();
        private int size;
        private int maxSize = DEFAULT_SIZE;

        Header get(int index) {
            if (index >= 1 && index <= STATIC.length) {
                String[] entry = STATIC[index - 1].split(" ", 2);
                return new Header(entry[0], entry.length > 1 ? entry[1] : "");
            }
            int position = index - STATIC.length - 1;
            if (position < 0 || position >= dynamic.size()) {
                throw new IllegalStateException("HPACK index " + index + " is in neither table");
            }
            return dynamic.stream().skip(position).findFirst().orElseThrow();
        }

        /** The dynamic table index of exactly {@code field}, or 0. */
        int indexOf(Header field) {
            int index = STATIC.length + 1;
            for (Header entry : dynamic) {
                if (entry.equals(field)) {
                    return index;
                }
                index++;
            }
            return 0;
        }

        void add(Header field) {
            dynamic.addFirst(field);
            size += entrySize(field);
            evict();
        }

        void resize(int newSize) {
            maxSize = newSize;
            evict();
        }

        private void evict() {
            while (size > maxSize) {
                size -= entrySize(dynamic.removeLast());
            }
        }

        /** RFC 7541 §4.1: the octets of name and value plus 32. */
        private static int entrySize(Header field) {
            return field.name().getBytes(StandardCharsets.ISO_8859_1).length
                    + field.value().getBytes(StandardCharsets.ISO_8859_1).length + 32;
        }
    }
}
