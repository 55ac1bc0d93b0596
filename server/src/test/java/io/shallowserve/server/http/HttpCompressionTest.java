package io.shallowserve.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The coding of a response for each Accept-Encoding: q-values, the wildcard, identity, malformed elements. */
class HttpCompressionTest {

    @ParameterizedTest(name = "Accept-Encoding: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // What tritonclient.http sends for response_compression_algorithm.
            "gzip | gzip",
            "deflate | deflate",
            // Equal preference: gzip.
            "gzip, deflate | gzip",
            "deflate, gzip | gzip",
            "'' | identity",
            "identity | identity",
            "br | identity",
            "br, deflate | deflate",
            "GZIP | gzip",
            "x-gzip | gzip",
            " gzip ; q=0.5 , deflate ; q=0.4 | gzip",
            "gzip;q=0.5, deflate;q=0.8 | deflate",
            "deflate;Q=1, gzip;q=0.999 | deflate",
            // q=0 is "not acceptable".
            "gzip;q=0 | identity",
            "gzip;q=0, deflate | deflate",
            "gzip;q=0.000, deflate;q=0 | identity",
            // Identity preferred over the compressions it is named with.
            "identity;q=1, gzip;q=0.5 | identity",
            "identity;q=0.5, gzip;q=0.5 | gzip",
            // Identity not named: acceptable, but after a named compression whatever its q.
            "gzip;q=0.001 | gzip",
            // The wildcard stands for every coding not named.
            "* | gzip",
            "*;q=0.1, gzip;q=0 | deflate",
            "*;q=0 | identity",
            "deflate;q=0.5, *;q=0.6 | gzip",
            // Malformed q-values: the element is ignored.
            "gzip;q=2, deflate | deflate",
            "gzip;q=abc | identity",
            "gzip;q=0.1234, deflate;q=0.1 | deflate",
            "gzip;q= | identity",
            ", ,gzip,, | gzip"})
    void preferredCoding_followsTheQValues(String acceptEncoding, String coding) {
        assertThat(HttpCompression.preferredCoding(acceptEncoding)).isEqualTo(coding);
    }
}
