package io.shallowserve.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class FailureLogTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);
    private final RecordingLogger logger = new RecordingLogger();
    private final FailureLog failures = new FailureLog(logger, clock::get);

    @Test
    void failed_repeatedWithinTheInterval_logsTheFirstOnly() {
        IllegalStateException cause = new IllegalStateException("ONNX Runtime refused the values");

        for (int i = 0; i < 100; i++) {
            failures.failed("gRPC request failed: model m failed", cause);
            clock.addAndGet(SECOND / 100);
        }

        assertThat(logger.lines).containsExactly("ERROR gRPC request failed: model m failed");
        assertThat(logger.causes).containsExactly(cause);
    }

    @Test
    void failed_afterTheInterval_logsAgainWithHowManyWereLeftOut() {
        failures.failed("first", null);
        clock.addAndGet(SECOND);
        failures.failed("left out", null);
        failures.failed("left out", null);
        clock.addAndGet(FailureLog.INTERVAL.toNanos());

        failures.failed("next", null);
        clock.addAndGet(FailureLog.INTERVAL.toNanos());
        failures.failed("after that", null);

        assertThat(logger.lines).containsExactly("ERROR first",
                "ERROR next (2 more failures left out of the log since the last one logged)", "ERROR after that");
    }

    /** What a System.Logger was told, level and message. */
    private static final class RecordingLogger implements System.Logger {

        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<Throwable> causes = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "recording";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            lines.add(level + " " + message);
            causes.add(thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }

        @Override
        public void log(Level level, Supplier<String> message, Throwable thrown) {
            log(level, null, message.get(), thrown);
        }
    }
}
