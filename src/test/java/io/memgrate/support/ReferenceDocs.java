package io.memgrate.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference tables of {@code docs/}: the configuration reference's property table and the operations page's
 * metrics table, each read as name (a backticked name of the first column) to its second column.
 */
public final class ReferenceDocs {

    /** The page whose "Configuration" section has the table of every {@code memgrate.*} property. */
    public static final String CONFIGURATION = "docs/configuration.md";
    /** The page whose "Metrics" section has the table of every {@code memgrate_*} metric. */
    public static final String OPERATIONS = "docs/operations.md";

    private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.+?) *$");
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

    private ReferenceDocs() {
    }

    /** Property (first column, in backticks) to its default (second column) in the configuration reference. */
    public static Map<String, String> configurationTable(Path root) {
        return table(root.resolve(CONFIGURATION), "Configuration");
    }

    /** Metric (each backticked name of the first column) to its tags (second column) in the metrics table. */
    public static Map<String, String> metricsTable(Path root) {
        return table(root.resolve(OPERATIONS), "Metrics");
    }

    /** The text of a section: from the heading titled {@code title} to the next heading, code blocks skipped. */
    public static String section(Path page, String title) {
        StringBuilder section = new StringBuilder();
        boolean inside = false;
        boolean fenced = false;
        for (String line : read(page).split("\n")) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
            }
            Matcher heading = HEADING.matcher(line);
            if (!fenced && heading.matches()) {
                if (inside) {
                    break;
                }
                inside = heading.group(1).equals(title);
                continue;
            }
            if (inside) {
                section.append(line).append('\n');
            }
        }
        assertTrue(inside, page + " has no section titled '" + title + "'");
        return section.toString();
    }

    private static Map<String, String> table(Path page, String title) {
        Map<String, String> table = new TreeMap<>();
        for (String line : section(page, title).split("\n")) {
            if (!line.startsWith("|")) {
                continue;
            }
            String[] cells = line.split("(?<!\\\\)\\|", -1);
            if (cells.length < 3) {
                continue;
            }
            Matcher name = BACKTICKED.matcher(cells[1]);
            while (name.find()) {
                table.put(name.group(1), cells[2].trim());
            }
        }
        assertTrue(!table.isEmpty(), page + ", section '" + title + "', has no table with `names` in its first column");
        return table;
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
