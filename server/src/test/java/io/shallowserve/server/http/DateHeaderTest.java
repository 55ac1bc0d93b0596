package io.shallowserve.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DateHeaderTest {

    @Test
    void text_dayBelowTen_hasTwoDigitsAsImfFixdateWants() {
        assertThat(DateHeader.text(Instant.parse("2026-12-03T15:36:28Z"))).isEqualTo("Thu, 03 Dec 2026 15:36:28 GMT");
    }

    @Test
    void text_isInGmtWhateverTheDefaultZone() {
        assertThat(DateHeader.text(Instant.parse("1994-11-06T08:49:37.900Z")))
                .isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }
}
