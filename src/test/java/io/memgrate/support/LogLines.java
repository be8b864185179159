package io.memgrate.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * The lines one logger writes, as {@code LEVEL message}, from {@link #of} until {@link #close}, whatever the code logs
 * through (JBoss Logging, SLF4J and java.util.logging all end in JBoss LogManager in the tests).
 */
public final class LogLines extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level levelBefore;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogLines(Logger logger) {
        this.logger = logger;
        this.levelBefore = logger.getLevel();
    }

    /** Captures what the logger named {@code category} (usually a class name) writes from now on. */
    public static LogLines of(String category) {
        LogLines capture = new LogLines(Logger.getLogger(category));
        capture.logger.addHandler(capture);
        return capture;
    }

    /** Like {@link #of}, and the logger writes its DEBUG lines too until {@link #close}. */
    public static LogLines withDebug(String category) {
        LogLines capture = of(category);
        capture.logger.setLevel(Level.FINE);
        return capture;
    }

    /** The lines so far, each as its level and message with its parameters filled in. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public long count(String containing) {
        return lines.stream().filter(line -> line.contains(containing)).count();
    }

    @Override
    public void publish(LogRecord record) {
        // JBoss LogManager (the tests' log manager) formats printf-, {}- and {0}-style messages alike
        lines.add(record.getLevel() + " " + ((ExtLogRecord) record).getFormattedMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(levelBefore);
    }
}
