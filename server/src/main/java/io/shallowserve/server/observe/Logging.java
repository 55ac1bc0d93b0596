package io.shallowserve.server.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.logging.LogManager;

/**
 * The server's java.util.logging setup: logging.properties from the jar (one line per record, Helidon's startup
 * noise off), unless the user names a configuration file of their own, and a log manager that keeps logging while
 * the server shuts down.
 */
public final class Logging {

    private Logging() {
    }

    /** Call first thing in main, before anything logs: the log manager class is chosen when logging starts. */
    public static void configure() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ExitLogManager.class.getName());
        }
        if (System.getProperty("java.util.logging.config.file") != null) {
            return;
        }
        try (InputStream properties = Logging.class.getResourceAsStream("/logging.properties")) {
            LogManager.getLogManager().readConfiguration(properties);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read logging.properties", e);
        }
    }

    /**
     * The JDK's log manager closes every handler as soon as the JVM begins to exit, in parallel with the shutdown
     * hook that drains the server, so the lines that say how the drain went would be lost. This one keeps its
     * handlers at exit; they flush every record anyway.
     */
    public static final class ExitLogManager extends LogManager {

        @Override
        public void reset() {
            if (!exiting()) {
                super.reset();
            }
        }

        /** The JVM refuses changes to its shutdown hooks once it is exiting. */
        private static boolean exiting() {
            try {
                Runtime.getRuntime().removeShutdownHook(new Thread(() -> { }));
                return false;
            } catch (IllegalStateException e) {
                return true;
            }
        }
    }
}
