package io.shallowserve.server.inference;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests holding one served version, and its retirement: once retired, no request gets the version any more,
 * and whoever sees the count reach zero closes it, exactly once: {@link #retire()} if nobody held it, else the last
 * {@link #release()}.
 */
final class UserCount {

    /** The sign bit of {@link #count}: retired, no new user. */
    private static final int RETIRED = Integer.MIN_VALUE;

    /** Users, plus {@link #RETIRED} once retired. */
    private final AtomicInteger count = new AtomicInteger();

    /** Takes the version for one user; false once it is retired (the caller looks the version up again). */
    boolean acquire() {
        while (true) {
            int current = count.get();
            if (current < 0) {
                return false;
            }
            if (count.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives back what {@link #acquire()} took; true if this was the last user of a retired version: close it. */
    boolean release() {
        return count.decrementAndGet() == RETIRED;
    }

    /** No new user from now on; true if nobody holds the version: close it. */
    boolean retire() {
        return count.getAndUpdate(users -> users | RETIRED) == 0;
    }
}
