package io.shallowserve.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes every routed response's {@code Date} as RFC 9110's IMF-fixdate, {@code Thu, 03 Dec 2026 15:36:28 GMT}.
 * Helidon 4.5.0 writes Java's RFC 1123 form, whose day of the month has one digit on the 1st to the 9th, which
 * RFC 9110 does not allow and strict parsers (Go's {@code http.ParseTime}) refuse; Helidon sets its own only where
 * none is set. The text is made once a second.
 */
final class DateHeader implements Filter {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    /** The text of one second since the epoch. */
    private record Second(long epochSecond, String text) {
    }

    private volatile Second current = at(Instant.now());

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        response.header(HeaderNames.DATE, now());
        chain.proceed();
    }

    private String now() {
        Instant now = Instant.now();
        Second second = current;
        if (second.epochSecond() != now.getEpochSecond()) {
            second = at(now);
            current = second;
        }
        return second.text();
    }

    /** The header's text at {@code instant}. */
    static String text(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    private static Second at(Instant instant) {
        return new Second(instant.getEpochSecond(), text(instant));
    }
}
