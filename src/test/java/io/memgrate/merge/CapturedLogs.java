package io.memgrate.merge;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/** MergedView's log lines as {@code LEVEL message}, from when it is attached until it is detached. */
final class CapturedLogs extends Handler {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    void attach() {
        Logger.getLogger(MergedView.class.getName()).addHandler(this);
    }

    void detach() {
        Logger.getLogger(MergedView.class.getName()).removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + ((ExtLogRecord) record).getFormattedMessage());
    }

    List<String> lines() {
        return lines;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
