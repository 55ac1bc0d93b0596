package io.shallowserve.loadtest.driver;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told: sleeping jumps to the deadline, a fake server advances it by its work. */
final class FakeClock implements Clock {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleepUntil(long deadlineNanos) {
        now.accumulateAndGet(deadlineNanos, Math::max);
    }

    void advanceMicros(long micros) {
        now.addAndGet(TimeUnit.MICROSECONDS.toNanos(micros));
    }
}
