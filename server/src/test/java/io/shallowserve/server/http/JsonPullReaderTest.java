package io.shallowserve.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.server.http.JsonPullReader.MalformedJsonException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonPullReaderTest {

    @Test
    void peek_wellFormedJson_readsEveryToken() throws MalformedJsonException {
        Map<String, String> documents = Map.ofEntries(
                Map.entry("{}", "{ }"),
                Map.entry(" [ ] ", "[ ]"),
                Map.entry("\t\r\n[1]\n", "[ 1 ]"),
                Map.entry("{\"a\": [1, -0, 0.5, 1e5, 1E-5, -1.5e+3], \"\": {\"b\": null}}",
                        "{ a: [ 1 -0 0.5 1e5 1E-5 -1.5e+3 ] : { b: null } }"),
                Map.entry("\"top\"", "\"top\""),
                Map.entry("true", "true"),
                Map.entry("[false, null, true]", "[ false null true ]"),
                Map.entry("{\"a\": 1, \"a\": 2}", "{ a: 1 a: 2 }"));
        for (Map.Entry<String, String> document : documents.entrySet()) {
            assertThat(walk(bytes(document.getKey()))).as(document.getKey()).isEqualTo(document.getValue());
        }
    }

    @Test
    void nextNumber_nanAndInfinities_readInJavasSpelling() throws MalformedJsonException {
        assertThat(walk(bytes("[NaN, Inf, -Inf, Infinity, -Infinity, -NaN]")))
                .isEqualTo("[ NaN Infinity -Infinity Infinity -Infinity NaN ]");
    }

    @Test
    void nextString_escapesAndUtf8_resolvedToTheCharacters() throws MalformedJsonException {
        JsonPullReader reader = JsonPullReader.of(
                bytes("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", \"é😀\", \"\"]"));
        reader.beginArray();

        assertThat(reader.nextString()).isEqualTo("\"\\/\b\f\n\r\té😀");
        assertThat(reader.nextStringBytes()).isEqualTo("é😀".getBytes(StandardCharsets.UTF_8));
        assertThat(reader.nextString()).isEmpty();
        reader.endArray();
        reader.endDocument();
    }

    @Test
    void reader_aSliceOfABody_readsOnlyTheSliceAndCountsBytesFromItsStart() throws MalformedJsonException {
        byte[] body = bytes("xx[1, x]yy");

        JsonPullReader reader = new JsonPullReader(body, 2, 8);
        reader.beginArray();
        assertThat(reader.nextNumber()).isEqualTo("1");
        assertThatThrownBy(reader::peek).hasMessage("expected a value, found 'x' at byte 4");
    }

    @Test
    void skipValue_nestedValues_skipsThemWhole() throws MalformedJsonException {
        JsonPullReader reader = JsonPullReader.of(
                bytes("{\"skip\": {\"a\": [1, {\"b\": \"]\"}], \"c\": true}, \"keep\": 2}"));
        reader.beginObject();

        assertThat(reader.nextName()).isEqualTo("skip");
        reader.skipValue();
        assertThat(reader.nextName()).isEqualTo("keep");
        assertThat(reader.nextLong()).isEqualTo(2);
        reader.endObject();
        reader.endDocument();
    }

    @Test
    void beginArray_deepNesting_needsNoStackOfCalls() throws MalformedJsonException {
        int depth = 100_000;
        JsonPullReader reader = JsonPullReader.of(bytes("[".repeat(depth) + "]".repeat(depth)));

        reader.skipValue();
        reader.endDocument();
    }

    @Test
    void nextLongAndNextInt_whatIsNotAWholeNumberInRange_isRefused() throws MalformedJsonException {
        JsonPullReader reader = JsonPullReader.of(bytes("[9223372036854775807, 1.0, 1e2, 2147483648, -2147483648]"));
        reader.beginArray();

        assertThat(reader.nextLong()).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(reader::nextLong).hasMessage("expected a whole number at byte 22, found 1.0");
        assertThatThrownBy(reader::nextLong).hasMessage("expected a whole number at byte 27, found 1e2");
        assertThatThrownBy(reader::nextInt).hasMessageContaining("from -2147483648 to 2147483647 at byte 32");
        assertThat(reader.nextInt()).isEqualTo(Integer.MIN_VALUE);
    }

    @Test
    void next_anotherKindOfValue_saysWhatWasExpectedAndFound() throws MalformedJsonException {
        JsonPullReader reader = JsonPullReader.of(bytes("{\"a\": 1}"));
        reader.beginObject();
        reader.nextName();

        assertThatThrownBy(reader::nextString).hasMessage("expected a string, found a number at byte 6");
        assertThatThrownBy(reader::nextBoolean).hasMessage("expected true or false, found a number at byte 6");
    }

    @Test
    void peek_malformedJson_isRefusedSayingWhereAndWhat() {
        Map<String, String> documents = Map.ofEntries(
                Map.entry("", "the body is empty"),
                Map.entry("   ", "the body is empty"),
                Map.entry("[1,]", "expected a value, found ']' at byte 3"),
                Map.entry("[,1]", "expected a value, found ',' at byte 1"),
                Map.entry("[1 2]", "expected ',' or ']' in an array, found '2' at byte 3"),
                Map.entry("[1, 2", "expected ',' or ']' in an array, found the end of the JSON at byte 5"),
                Map.entry("{\"a\": 1,}", "expected a name in double quotes, found '}' at byte 8"),
                Map.entry("{a: 1}", "expected a name in double quotes, found 'a' at byte 1"),
                Map.entry("{'a': 1}", "expected a name in double quotes"),
                Map.entry("{\"a\" 1}", "expected ':' after a name, found '1' at byte 5"),
                Map.entry("{\"a\": 1 \"b\": 2}", "expected ',' or '}' in an object"),
                Map.entry("[01]", "malformed number 01 at byte 1"),
                Map.entry("[1.]", "expected a digit after the decimal point at byte 3"),
                Map.entry("[.5]", "expected a value, found '.5' at byte 1"),
                Map.entry("[+1]", "expected a value, found '+1' at byte 1"),
                Map.entry("[1e]", "expected a digit in the exponent at byte 3"),
                Map.entry("[-]", "expected a digit at byte 2"),
                Map.entry("[0x10]", "malformed number 0x"),
                Map.entry("[1.5.3]", "malformed number 1.5."),
                Map.entry("[nan]", "expected a value, found 'nan'"),
                Map.entry("[inf]", "expected a value, found 'inf'"),
                Map.entry("[Infinit]", "expected a value, found 'Infinit'"),
                Map.entry("[NaNa]", "expected a value, found 'NaNa'"),
                Map.entry("[+Infinity]", "expected a value, found '+Infinity'"),
                Map.entry("[tru]", "expected a value, found 'tru'"),
                Map.entry("[True]", "expected a value, found 'True'"),
                Map.entry("[null1]", "expected a value, found 'null1'"),
                Map.entry("[\"a\\x\"]", "unknown escape \\x at byte 3"),
                Map.entry("[\"\\u12\"]", "a \\u escape at byte 2 needs four hex digits"),
                Map.entry("[\"\\ud800\"]", "half of a surrogate pair"),
                Map.entry("[\"\\ud800\\u0041\"]", "half of a surrogate pair"),
                Map.entry("[\"\\udc00\"]", "half of a surrogate pair"),
                Map.entry("[\"abc", "a string that starts at byte 1 has no end"),
                Map.entry("[\"abc\\", "unfinished escape at byte 5"),
                Map.entry("[\"a\tb\"]", "control character U+0009 at byte 3 in a string"),
                Map.entry("[1] x", "expected the end of the JSON, found 'x' at byte 4"),
                Map.entry("[1]]", "expected the end of the JSON, found ']' at byte 3"),
                Map.entry("/* comment */ 1", "expected a value, found '/'"),
                Map.entry("\uFEFF{}", "the body starts with a byte order mark (EF BB BF)"),
                Map.entry("[" + "1".repeat(JsonPullReader.MAX_NUMBER_LENGTH + 1) + "]",
                        "a number of 1001 characters; at most 1000 are read at byte 1"));
        for (Map.Entry<String, String> document : documents.entrySet()) {
            assertThatThrownBy(() -> walk(bytes(document.getKey()))).as(document.getKey())
                    .isInstanceOf(MalformedJsonException.class).hasMessageContaining(document.getValue());
        }
    }

    @Test
    void nextString_malformedUtf8_isRefused() {
        List<byte[]> strings = List.of(
                new byte[] {(byte) 0xc0, (byte) 0x80},             // overlong NUL
                new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0x80}, // overlong
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a surrogate
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
                new byte[] {(byte) 0xf5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xe2, (byte) 0x82},              // cut short before the quote
                new byte[] {(byte) 0x80},                           // a continuation alone
                new byte[] {(byte) 0xff});
        for (byte[] string : strings) {
            byte[] json = new byte[string.length + 4];
            json[0] = '[';
            json[1] = '"';
            System.arraycopy(string, 0, json, 2, string.length);
            json[json.length - 2] = '"';
            json[json.length - 1] = ']';

            assertThatThrownBy(() -> walk(json)).as(java.util.Arrays.toString(string))
                    .hasMessage("malformed UTF-8 at byte 2 in a string");
        }
    }

    /** Every token of {@code json}, separated by spaces: names end in ':', strings are quoted. */
    private static String walk(byte[] json) throws MalformedJsonException {
        JsonPullReader reader = new JsonPullReader(json, 0, json.length);
        StringBuilder tokens = new StringBuilder();
        while (true) {
            switch (reader.peek()) {
                case BEGIN_ARRAY -> {
                    reader.beginArray();
                    tokens.append("[ ");
                }
                case END_ARRAY -> {
                    reader.endArray();
                    tokens.append("] ");
                }
                case BEGIN_OBJECT -> {
                    reader.beginObject();
                    tokens.append("{ ");
                }
                case END_OBJECT -> {
                    reader.endObject();
                    tokens.append("} ");
                }
                case NAME -> tokens.append(reader.nextName()).append(": ");
                case STRING -> tokens.append('"').append(reader.nextString()).append("\" ");
                case NUMBER -> tokens.append(reader.nextNumber()).append(' ');
                case BOOLEAN -> tokens.append(reader.nextBoolean()).append(' ');
                case NULL -> {
                    reader.skipValue();
                    tokens.append("null ");
                }
                case END_DOCUMENT -> {
                    reader.endDocument();
                    return tokens.toString().strip();
                }
            }
        }
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
