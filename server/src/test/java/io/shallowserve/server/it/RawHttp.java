package io.shallowserve.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A plain TCP connection to the server that writes bytes exactly as given and reads HTTP/1.1 responses byte by byte:
 * what stock clients and attackers send, with no HTTP client library in between to fix or refuse it.
 */
final class RawHttp implements AutoCloseable {

    /** How long a read waits for the server before the test gives up on it. */
    private static final Duration READ_LIMIT = Duration.ofSeconds(30);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        socket.setSoTimeout((int) READ_LIMIT.toMillis());
    }

    /** Connects to {@code port} on the loopback address. */
    static RawHttp connect(int port) {
        try {
            return new RawHttp(new Socket("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} (ISO-8859-1, so that every char is one byte) in one write. */
    RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes {@code bytes} in one write. */
    RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Reads one response: status line, headers and a body of Content-Length bytes. */
    Response read() {
        Response head = readHead();
        int length = Integer.parseInt(head.headers().getOrDefault("content-length", "0"));
        try {
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IllegalStateException("the body ended after " + body.length + " of " + length + " bytes");
            }
            return new Response(head.status(), head.headers(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the status line and headers of one response and no body, as a client reads the response to HEAD: it has
     * none, whatever its Content-Length says (RFC 9110, 9.3.2).
     */
    Response readHead() {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IllegalStateException("the server closed the connection without a response");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(); header != null && !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                headers.merge(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            return new Response(Integer.parseInt(statusLine.split(" ", 3)[1]), headers, new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closes the connection, waiting at most {@code limit}: true when the next read ends (end of
     * stream or a reset), false when the server is still holding the connection open then.
     *
     * @throws IllegalStateException when the server sends anything instead, which it must not
     */
    boolean closedByServer(Duration limit) {
        try {
            socket.setSoTimeout((int) limit.toMillis());
            int next = in.read();
            if (next != -1) {
                byte[] more = in.readNBytes(Math.min(in.available(), 500));
                throw new IllegalStateException("the server sent more on the connection: " + (char) next
                        + new String(more, StandardCharsets.ISO_8859_1));
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            // A reset: the server closed while bytes the client sent were still unread.
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line up to CRLF, without it; null at the end of the stream. */
    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response as read from the wire; header names in lower case, the body as its bytes. */
    record Response(int status, Map<String, String> headers, byte[] bytes) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body as UTF-8 text. */
        String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
