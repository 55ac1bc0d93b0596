package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class JsonPatchTest {

    @Test
    void apply_addsReplacesAndRemovesMembersAndListItems() {
        JsonObject document = json("{\"a\":{\"b\":1,\"c\":2},\"list\":[\"x\",\"z\"]}");

        JsonPatch.apply(document, operations("""
                [{"op":"add","path":"/a/d~1e","value":3},
                 {"op":"replace","path":"/a/b","value":10},
                 {"op":"remove","path":"/a/c"},
                 {"op":"add","path":"/list/1","value":"y"},
                 {"op":"add","path":"/list/-","value":"end"}]"""));

        assertThat(document).isEqualTo(json("{\"a\":{\"b\":10,\"d/e\":3},\"list\":[\"x\",\"y\",\"z\",\"end\"]}"));
    }

    @Test
    void apply_failsOnAPathThatDoesNotExist() {
        JsonObject document = json("{\"a\":{}}");

        assertThatThrownBy(() -> JsonPatch.apply(document, operations("[{\"op\":\"add\",\"path\":\"/b/c\",\"value\":1}]")))
                .hasMessageContaining("/b/c does not exist");
        assertThatThrownBy(() -> JsonPatch.apply(document, operations("[{\"op\":\"replace\",\"path\":\"/a/x\",\"value\":1}]")))
                .hasMessageContaining("/a/x does not exist");
    }

    @Test
    void apply_testPassesOnAnEqualValueAndFailsOnAnother() {
        JsonObject document = json("{\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}");

        JsonPatch.apply(document, operations("""
                [{"op":"test","path":"/env/0/name","value":"A"},
                 {"op":"replace","path":"/env/0/value","value":"2"}]"""));

        assertThat(document).isEqualTo(json("{\"env\":[{\"name\":\"A\",\"value\":\"2\"}]}"));
        assertThatThrownBy(() -> JsonPatch.apply(document, operations("[{\"op\":\"test\",\"path\":\"/env/0/name\","
                + "\"value\":\"B\"}]"))).hasMessageContaining("test at /env/0/name failed: \"A\" is not \"B\"");
    }

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    private static JsonArray operations(String text) {
        return JsonParser.parseString(text).getAsJsonArray();
    }
}
