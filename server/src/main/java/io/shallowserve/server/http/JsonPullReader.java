package io.shallowserve.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the JSON of a request body one token at a time, straight from its UTF-8 bytes: strict JSON (RFC 8259), and
 * the numbers {@code NaN}, {@code Inf}, {@code Infinity}, {@code -Inf} and {@code -Infinity} besides, which Triton
 * accepts (its JSON parser runs with rapidjson's kParseNanAndInfFlag) and Python's {@code json.dumps} writes for
 * float data that holds them.
 *
 * <p>Gson's reader, used before, has no such mode: its lenient mode takes those words but also unquoted strings,
 * comments and single quotes, and cannot say whether a value was quoted ("NaN" for a BYTES input is a string).
 * Everything else is as strict as the RFC: no trailing commas, no leading zeros, no control characters or malformed
 * UTF-8 in strings, nothing after the value but white space. A problem is a {@link MalformedJsonException} that names
 * the byte where it is.
 */
final class JsonPullReader {

    /** What comes next. */
    enum Token {
        BEGIN_OBJECT, END_OBJECT, BEGIN_ARRAY, END_ARRAY, NAME, STRING, NUMBER, BOOLEAN, NULL, END_DOCUMENT
    }

    /** The JSON is malformed, or holds another kind of value where the reader was asked for one. */
    static final class MalformedJsonException extends Exception {
        MalformedJsonException(String message) {
            super(message);
        }
    }

    // Where the reader is, as Gson's reader keeps it: one scope per open array or object, the document below them.
    private static final byte EMPTY_DOCUMENT = 0;
    private static final byte NONEMPTY_DOCUMENT = 1;
    private static final byte EMPTY_ARRAY = 2;
    private static final byte NONEMPTY_ARRAY = 3;
    private static final byte EMPTY_OBJECT = 4;
    /** In an object, after a name and before its value. */
    private static final byte DANGLING_NAME = 5;
    private static final byte NONEMPTY_OBJECT = 6;

    /**
     * The longest number read, as Jackson bounds it by default: no tensor value needs more digits, and turning a
     * million of them into an integer takes seconds.
     */
    static final int MAX_NUMBER_LENGTH = 1000;

    private final byte[] bytes;
    /** Where the JSON starts: positions in messages count from here. */
    private final int start;
    private final int end;
    private int position;
    private byte[] scopes = new byte[16];
    private int depth = 1;
    /** The token at {@link #position}, once peeked; null before. */
    private Token peeked;
    /** Where a peeked number, boolean or null ends. */
    private int tokenEnd;

    /** Reads the JSON in {@code bytes[start, end)}. */
    JsonPullReader(byte[] bytes, int start, int end) {
        this(bytes, start, start, end);
    }

    /** Reads the JSON value in {@code bytes[from, end)} of a JSON that starts at {@code start}. */
    private JsonPullReader(byte[] bytes, int start, int from, int end) {
        this.bytes = bytes;
        this.start = start;
        this.end = end;
        this.position = from;
        scopes[0] = EMPTY_DOCUMENT;
    }

    /** Reads the whole of {@code json}, UTF-8 as it came. */
    static JsonPullReader of(byte[] json) {
        return new JsonPullReader(json, 0, json.length);
    }

    /** Whether {@code json} holds nothing but JSON white space: a body that says nothing. */
    static boolean blank(byte[] json) {
        JsonPullReader reader = of(json);
        reader.skipWhiteSpace();
        return reader.position == reader.end;
    }

    /** The next token, without reading it. */
    Token peek() throws MalformedJsonException {
        if (peeked != null) {
            return peeked;
        }
        switch (scopes[depth - 1]) {
            case EMPTY_DOCUMENT -> {
                scopes[depth - 1] = NONEMPTY_DOCUMENT;
                skipWhiteSpace();
                if (position == end) {
                    throw malformed("the body is empty; expected a JSON value");
                }
                if (end - position >= 3 && (bytes[position] & 0xff) == 0xef && (bytes[position + 1] & 0xff) == 0xbb
                        && (bytes[position + 2] & 0xff) == 0xbf) {
                    throw malformed("the body starts with a byte order mark (EF BB BF), which JSON does not allow;"
                            + " send it without one");
                }
                return peeked = value();
            }
            case NONEMPTY_DOCUMENT -> {
                skipWhiteSpace();
                if (position != end) {
                    throw malformed("expected the end of the JSON, found " + found());
                }
                return peeked = Token.END_DOCUMENT;
            }
            case EMPTY_ARRAY, NONEMPTY_ARRAY -> {
                skipWhiteSpace();
                if (position < end && bytes[position] == ']') {
                    return peeked = Token.END_ARRAY;
                }
                if (scopes[depth - 1] == NONEMPTY_ARRAY) {
                    expect(',', "',' or ']' in an array");
                    skipWhiteSpace();
                }
                scopes[depth - 1] = NONEMPTY_ARRAY;
                return peeked = value();
            }
            case EMPTY_OBJECT, NONEMPTY_OBJECT -> {
                skipWhiteSpace();
                if (position < end && bytes[position] == '}') {
                    return peeked = Token.END_OBJECT;
                }
                if (scopes[depth - 1] == NONEMPTY_OBJECT) {
                    expect(',', "',' or '}' in an object");
                    skipWhiteSpace();
                }
                if (position == end || bytes[position] != '"') {
                    throw malformed("expected a name in double quotes, found " + found());
                }
                scopes[depth - 1] = DANGLING_NAME;
                return peeked = Token.NAME;
            }
            default -> {
                skipWhiteSpace();
                expect(':', "':' after a name");
                skipWhiteSpace();
                scopes[depth - 1] = NONEMPTY_OBJECT;
                return peeked = value();
            }
        }
    }

    void beginArray() throws MalformedJsonException {
        consume(Token.BEGIN_ARRAY);
        position++;
        push(EMPTY_ARRAY);
    }

    void endArray() throws MalformedJsonException {
        consume(Token.END_ARRAY);
        position++;
        depth--;
    }

    void beginObject() throws MalformedJsonException {
        consume(Token.BEGIN_OBJECT);
        position++;
        push(EMPTY_OBJECT);
    }

    void endObject() throws MalformedJsonException {
        consume(Token.END_OBJECT);
        position++;
        depth--;
    }

    /** Whether the array or object being read has another element. */
    boolean hasNext() throws MalformedJsonException {
        Token next = peek();
        return next != Token.END_ARRAY && next != Token.END_OBJECT && next != Token.END_DOCUMENT;
    }

    String nextName() throws MalformedJsonException {
        consume(Token.NAME);
        return new String(string(), StandardCharsets.UTF_8);
    }

    String nextString() throws MalformedJsonException {
        return new String(nextStringBytes(), StandardCharsets.UTF_8);
    }

    /** A string value as its UTF-8 bytes, escapes resolved. */
    byte[] nextStringBytes() throws MalformedJsonException {
        consume(Token.STRING);
        return string();
    }

    /**
     * A number as written, except the words for what is not finite: those come as Java's {@link Double#parseDouble}
     * reads them ({@code NaN}, {@code Infinity}, {@code -Infinity}).
     */
    String nextNumber() throws MalformedJsonException {
        consume(Token.NUMBER);
        int from = position;
        position = tokenEnd;
        // A word where a number is: the first byte of NaN or an infinity, or the one after its minus sign.
        byte word = bytes[from] == '-' ? bytes[from + 1] : bytes[from];
        if (word == 'N') {
            return "NaN";
        }
        if (word == 'I') {
            return bytes[from] == '-' ? "-Infinity" : "Infinity";
        }
        return new String(bytes, from, tokenEnd - from, StandardCharsets.US_ASCII);
    }

    /** A whole number, written without a fraction or an exponent, in {@code long}'s range. */
    long nextLong() throws MalformedJsonException {
        int at = tokenStart();
        String literal = nextNumber();
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException e) {
            throw new MalformedJsonException("expected a whole number at byte " + (at - start) + ", found "
                    + literal);
        }
    }

    /** A whole number in {@code int}'s range. */
    int nextInt() throws MalformedJsonException {
        int at = tokenStart();
        long value = nextLong();
        if (value != (int) value) {
            throw new MalformedJsonException("expected a whole number from " + Integer.MIN_VALUE + " to "
                    + Integer.MAX_VALUE + " at byte " + (at - start) + ", found " + value);
        }
        return (int) value;
    }

    boolean nextBoolean() throws MalformedJsonException {
        consume(Token.BOOLEAN);
        boolean value = bytes[position] == 't';
        position = tokenEnd;
        return value;
    }

    /** Skips the next value, with all it holds. */
    void skipValue() throws MalformedJsonException {
        int open = 0;
        do {
            switch (peek()) {
                case BEGIN_ARRAY -> {
                    beginArray();
                    open++;
                }
                case BEGIN_OBJECT -> {
                    beginObject();
                    open++;
                }
                case END_ARRAY -> {
                    endArray();
                    open--;
                }
                case END_OBJECT -> {
                    endObject();
                    open--;
                }
                case NAME -> nextName();
                case STRING -> nextStringBytes();
                case NUMBER, BOOLEAN, NULL -> {
                    peeked = null;
                    position = tokenEnd;
                }
                case END_DOCUMENT -> throw malformed("expected a value, found the end of the JSON");
            }
        } while (open > 0);
    }

    /**
     * Skips the next value and returns a reader of that value alone, to read it later: when reading it needs what
     * comes after it (tensor data before its datatype). Its messages count bytes from the start of this JSON.
     */
    JsonPullReader skipToReader() throws MalformedJsonException {
        int from = tokenStart();
        skipValue();
        return new JsonPullReader(bytes, start, from, position);
    }

    /** Checks that nothing but white space follows the value read. */
    void endDocument() throws MalformedJsonException {
        consume(Token.END_DOCUMENT);
    }

    // ------------------------------------------------------------------------------------------------ scanning

    /** The token a value starts with at {@link #position}; numbers and words are checked to their end. */
    private Token value() throws MalformedJsonException {
        if (position == end) {
            throw malformed("expected a value, found the end of the JSON");
        }
        byte first = bytes[position];
        return switch (first) {
            case '{' -> Token.BEGIN_OBJECT;
            case '[' -> Token.BEGIN_ARRAY;
            case '"' -> Token.STRING;
            case 't' -> word("true", Token.BOOLEAN);
            case 'f' -> word("false", Token.BOOLEAN);
            case 'n' -> word("null", Token.NULL);
            case 'N' -> word("NaN", Token.NUMBER);
            case 'I' -> infinity(position);
            case '-' -> negative();
            default -> {
                if (first >= '0' && first <= '9') {
                    yield number();
                }
                throw malformed("expected a value, found " + found());
            }
        };
    }

    /** What starts with a minus sign: a number, or a negative infinity or NaN. */
    private Token negative() throws MalformedJsonException {
        byte next = position + 1 < end ? bytes[position + 1] : 0;
        if (next == 'I') {
            return infinity(position + 1);
        }
        return next == 'N' ? word("-NaN", Token.NUMBER) : number();
    }

    /** {@code Inf} or {@code Infinity} at {@code at}, with a minus sign before it from {@link #position}. */
    private Token infinity(int at) throws MalformedJsonException {
        String sign = at > position ? "-" : "";
        return matches(at, "Infinity") ? word(sign + "Infinity", Token.NUMBER) : word(sign + "Inf", Token.NUMBER);
    }

    private boolean matches(int at, String word) {
        if (end - at < word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (bytes[at + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private Token word(String word, Token token) throws MalformedJsonException {
        if (!matches(position, word) || (position + word.length() < end && isWordByte(bytes[position
                + word.length()]))) {
            throw malformed("expected a value, found " + found());
        }
        tokenEnd = position + word.length();
        return token;
    }

    private static boolean isWordByte(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '.'
                || b == '-' || b == '+';
    }

    /** A number by RFC 8259's grammar: {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}. */
    private Token number() throws MalformedJsonException {
        int at = position;
        if (bytes[at] == '-') {
            at++;
        }
        if (at < end && bytes[at] == '0') {
            at++;
        } else {
            at = digits(at, "a digit");
        }
        if (at < end && bytes[at] == '.') {
            at = digits(at + 1, "a digit after the decimal point");
        }
        if (at < end && (bytes[at] == 'e' || bytes[at] == 'E')) {
            at++;
            if (at < end && (bytes[at] == '+' || bytes[at] == '-')) {
                at++;
            }
            at = digits(at, "a digit in the exponent");
        }
        if (at < end && isWordByte(bytes[at])) {
            throw malformed("malformed number " + new String(bytes, position,
                    Math.min(Math.min(at + 1, end) - position, MAX_NUMBER_LENGTH), StandardCharsets.UTF_8));
        }
        if (at - position > MAX_NUMBER_LENGTH) {
            throw malformed("a number of " + (at - position) + " characters; at most " + MAX_NUMBER_LENGTH
                    + " are read");
        }
        tokenEnd = at;
        return Token.NUMBER;
    }

    /** The position after one or more digits from {@code at}. */
    private int digits(int at, String expected) throws MalformedJsonException {
        int from = at;
        while (at < end && bytes[at] >= '0' && bytes[at] <= '9') {
            at++;
        }
        if (at == from) {
            throw new MalformedJsonException("expected " + expected + " at byte " + (at - start) + " in a number");
        }
        return at;
    }

    /**
     * The string at {@link #position} (its opening quote), read to its closing quote: its bytes, escapes resolved.
     * Bytes below U+0020 must be escaped and the rest must be well-formed UTF-8.
     */
    private byte[] string() throws MalformedJsonException {
        int from = ++position;
        // Most strings hold no escape: their bytes are the value.
        while (position < end && bytes[position] != '"' && bytes[position] != '\\') {
            position = character(position);
        }
        if (position < end && bytes[position] == '"') {
            return Arrays.copyOfRange(bytes, from, position++);
        }
        ByteArrayOutputStream value = new ByteArrayOutputStream(position - from + 16);
        value.write(bytes, from, position - from);
        while (position < end && bytes[position] != '"') {
            if (bytes[position] == '\\') {
                escape(value);
            } else {
                int next = character(position);
                value.write(bytes, position, next - position);
                position = next;
            }
        }
        if (position == end) {
            throw new MalformedJsonException("a string that starts at byte " + (from - 1 - start) + " has no end");
        }
        position++;
        return value.toByteArray();
    }

    /** The position after the one UTF-8 character at {@code at} in a string. */
    private int character(int at) throws MalformedJsonException {
        int b = bytes[at] & 0xff;
        if (b < 0x20) {
            throw new MalformedJsonException("control character U+" + String.format("%04X", b) + " at byte "
                    + (at - start) + " in a string; JSON strings escape it, as \\u" + String.format("%04x", b));
        }
        if (b < 0x80) {
            return at + 1;
        }
        // Well-formed UTF-8 (Unicode's table 3-7): no overlong forms, no surrogates, nothing past U+10FFFF.
        int length;
        int low = 0x80;
        int high = 0xbf;
        if (b >= 0xc2 && b <= 0xdf) {
            length = 2;
        } else if (b >= 0xe0 && b <= 0xef) {
            length = 3;
            low = b == 0xe0 ? 0xa0 : 0x80;
            high = b == 0xed ? 0x9f : 0xbf;
        } else if (b >= 0xf0 && b <= 0xf4) {
            length = 4;
            low = b == 0xf0 ? 0x90 : 0x80;
            high = b == 0xf4 ? 0x8f : 0xbf;
        } else {
            throw notUtf8(at);
        }
        if (end - at < length) {
            throw notUtf8(at);
        }
        int second = bytes[at + 1] & 0xff;
        if (second < low || second > high) {
            throw notUtf8(at);
        }
        for (int i = 2; i < length; i++) {
            int continuation = bytes[at + i] & 0xff;
            if (continuation < 0x80 || continuation > 0xbf) {
                throw notUtf8(at);
            }
        }
        return at + length;
    }

    private MalformedJsonException notUtf8(int at) {
        return new MalformedJsonException("malformed UTF-8 at byte " + (at - start) + " in a string");
    }

    /** The escape at {@link #position} (its backslash), written to {@code value} as UTF-8. */
    private void escape(ByteArrayOutputStream value) throws MalformedJsonException {
        int at = position;
        if (at + 1 == end) {
            throw new MalformedJsonException("a string ends in an unfinished escape at byte " + (at - start));
        }
        byte escaped = bytes[at + 1];
        position = at + 2;
        switch (escaped) {
            case '"', '\\', '/' -> value.write(escaped);
            case 'b' -> value.write('\b');
            case 'f' -> value.write('\f');
            case 'n' -> value.write('\n');
            case 'r' -> value.write('\r');
            case 't' -> value.write('\t');
            case 'u' -> {
                int unit = hex(at);
                int codePoint = unit;
                if (Character.isHighSurrogate((char) unit)) {
                    if (position + 1 >= end || bytes[position] != '\\' || bytes[position + 1] != 'u') {
                        throw loneSurrogate(at);
                    }
                    int lowAt = position;
                    position += 2;
                    int lowUnit = hex(lowAt);
                    if (!Character.isLowSurrogate((char) lowUnit)) {
                        throw loneSurrogate(at);
                    }
                    codePoint = Character.toCodePoint((char) unit, (char) lowUnit);
                } else if (Character.isLowSurrogate((char) unit)) {
                    throw loneSurrogate(at);
                }
                value.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
            }
            default -> throw new MalformedJsonException("unknown escape \\" + (char) (escaped & 0xff) + " at byte "
                    + (at - start) + " in a string");
        }
    }

    /** The four hex digits at {@link #position}, of the \\u escape at {@code at}. */
    private int hex(int at) throws MalformedJsonException {
        if (end - position < 4) {
            throw new MalformedJsonException("a \\u escape at byte " + (at - start) + " needs four hex digits");
        }
        int unit = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(bytes[position + i], 16);
            if (digit < 0) {
                throw new MalformedJsonException("a \\u escape at byte " + (at - start) + " needs four hex digits");
            }
            unit = unit * 16 + digit;
        }
        position += 4;
        return unit;
    }

    private MalformedJsonException loneSurrogate(int at) {
        return new MalformedJsonException("the \\u escape at byte " + (at - start) + " is half of a surrogate pair"
                + " without its other half");
    }

    // ------------------------------------------------------------------------------------------------ state

    private void consume(Token expected) throws MalformedJsonException {
        Token next = peek();
        if (next != expected) {
            throw malformed("expected " + describe(expected) + ", found " + describe(next));
        }
        peeked = null;
    }

    private void push(byte scope) {
        if (depth == scopes.length) {
            scopes = Arrays.copyOf(scopes, depth * 2);
        }
        scopes[depth++] = scope;
    }

    private void expect(char expected, String what) throws MalformedJsonException {
        if (position == end || bytes[position] != expected) {
            throw malformed("expected " + what + ", found " + found());
        }
        position++;
    }

    private void skipWhiteSpace() {
        while (position < end && (bytes[position] == ' ' || bytes[position] == '\n' || bytes[position] == '\r'
                || bytes[position] == '\t')) {
            position++;
        }
    }

    /** Where the next token starts, for a message about it. */
    private int tokenStart() throws MalformedJsonException {
        peek();
        return position;
    }

    /** What is at {@link #position}, for a message: a few characters of it, or the end. */
    private String found() {
        if (position == end) {
            return "the end of the JSON";
        }
        // A word or number whole (up to a point), anything else by its first character.
        int to = position + 1;
        while (isWordByte(bytes[position]) && to < end && to - position < 12 && isWordByte(bytes[to])) {
            to++;
        }
        return "'" + new String(bytes, position, to - position, StandardCharsets.UTF_8) + "'";
    }

    private static String describe(Token token) {
        return switch (token) {
            case BEGIN_OBJECT -> "an object";
            case END_OBJECT -> "the end of an object";
            case BEGIN_ARRAY -> "an array";
            case END_ARRAY -> "the end of an array";
            case NAME -> "a name";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the JSON";
        };
    }

    private MalformedJsonException malformed(String problem) {
        return new MalformedJsonException(problem + " at byte " + (position - start));
    }
}
