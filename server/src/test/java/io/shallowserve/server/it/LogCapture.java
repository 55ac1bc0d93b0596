package io.shallowserve.server.it;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The lines the server logs at INFO and above (java.util.logging, which grpc-java and its Netty use) while it is
 * open: one per record, as the server's logging.properties formats them, plus a stack trace's lines.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.INFO);
        Logger.getLogger("").addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (isLoggable(record)) {
            records.add(record);
        }
    }

    List<String> lines() {
        SimpleFormatter formatter = new SimpleFormatter();
        return records.stream().flatMap(record -> {
            StringWriter text = new StringWriter();
            text.append(record.getLoggerName()).append(": ").append(formatter.formatMessage(record));
            if (record.getThrown() != null) {
                text.append('\n');
                record.getThrown().printStackTrace(new PrintWriter(text));
            }
            return text.toString().lines();
        }).toList();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
