package io.memgrate.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The docs stay navigable as they are edited: every relative link in README, docs/ and the other READMEs reaches a file
 * and, with an {@code #anchor}, a heading there (GitHub's anchors); a page's "Contents" lists its ## and ### headings,
 * in order.
 */
class DocsLinksTest {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Pattern HEADING = Pattern.compile("^(#{1,6}) +(.+?) *#*$");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HTML_ID = Pattern.compile("<a id=\"([^\"]+)\"></a>");
    private static final Pattern CONTENTS_ENTRY = Pattern.compile("^ *- \\[[^\\]]*\\]\\(#([^)]+)\\)$");

    @Test
    void everyRelativeLinkReachesAFileAndAnAnchor() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) {
            int n = 0;
            for (String line : prose(Files.readString(page))) {
                n++;
                if (line == null) {
                    continue;
                }
                Matcher link = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("^[a-z]+:.*")) {
                        continue;
                    }
                    int hash = target.indexOf('#');
                    String file = hash < 0 ? target : target.substring(0, hash);
                    Path dest = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                    String where = ROOT.relativize(page) + ":" + n + ": " + target;
                    if (!Files.exists(dest)) {
                        broken.add(where + " (no such file)");
                    } else if (hash >= 0 && dest.toString().endsWith(".md")
                            && !anchors(Files.readString(dest)).contains(target.substring(hash + 1))) {
                        broken.add(where + " (no such heading)");
                    }
                }
            }
        }
        assertThat(broken).as("links in the docs that lead nowhere").isEmpty();
    }

    @Test
    void aPagesContentsListItsHeadingsInOrder() throws IOException {
        Map<String, List<String>> wrong = new HashMap<>();
        for (Path page : pages()) {
            List<String> listed = new ArrayList<>();
            List<String> headings = new ArrayList<>();
            List<String> lines = prose(Files.readString(page));
            List<String> titles = new ArrayList<>();
            lines.stream().filter(l -> l != null && HEADING.matcher(l).matches()).forEach(l -> titles.add(l));
            List<String> slugs = slugs(titles.stream().map(l -> heading(l)[1]).toList());
            boolean inContents = false;
            boolean hasContents = false;
            for (int i = 0; i < titles.size(); i++) {
                String[] h = heading(titles.get(i));
                if (h[1].equals("Contents")) {
                    hasContents = true;
                } else if (h[0].length() == 2 || h[0].length() == 3) {
                    headings.add(slugs.get(i));
                }
            }
            for (String line : lines) {
                if (line == null) {
                    continue;
                }
                if (line.equals("## Contents")) {
                    inContents = true;
                } else if (inContents && HEADING.matcher(line).matches()) {
                    break;
                } else if (inContents) {
                    Matcher entry = CONTENTS_ENTRY.matcher(line);
                    if (entry.matches()) {
                        listed.add(entry.group(1));
                    }
                }
            }
            if (hasContents && !listed.equals(headings)) {
                wrong.put(ROOT.relativize(page).toString(), headings);
            }
        }
        assertThat(wrong).as("pages whose Contents is not their ## and ### headings in order (the anchors expected)")
                .isEmpty();
    }

    /** Every anchor of a page: its headings' (GitHub's, duplicates numbered) and its {@code <a id>}s. */
    static Set<String> anchors(String markdown) {
        List<String> titles = new ArrayList<>();
        for (String line : prose(markdown)) {
            if (line != null && HEADING.matcher(line).matches()) {
                titles.add(heading(line)[1]);
            }
        }
        Set<String> anchors = new LinkedHashSet<>(slugs(titles));
        Matcher id = HTML_ID.matcher(markdown);
        while (id.find()) {
            anchors.add(id.group(1));
        }
        return anchors;
    }

    /** GitHub's anchor of each heading: markup dropped, lower case, punctuation dropped, spaces to hyphens. */
    static List<String> slugs(List<String> titles) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> slugs = new ArrayList<>();
        for (String title : titles) {
            String text = title.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "")
                    .replace("`", "").replace("*", "").strip().toLowerCase();
            StringBuilder slug = new StringBuilder();
            text.codePoints().filter(c -> Character.isLetterOrDigit(c) || c == ' ' || c == '-' || c == '_')
                    .forEach(c -> slug.appendCodePoint(c == ' ' ? '-' : c));
            int n = seen.merge(slug.toString(), 1, Integer::sum) - 1;
            slugs.add(n == 0 ? slug.toString() : slug + "-" + n);
        }
        return slugs;
    }

    private static String[] heading(String line) {
        Matcher m = HEADING.matcher(line);
        m.matches();
        return new String[] {m.group(1), m.group(2)};
    }

    /** The lines of a markdown text, with null for the lines of fenced code blocks. */
    private static List<String> prose(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            boolean fence = line.strip().startsWith("```");
            if (fence) {
                fenced = !fenced;
            }
            lines.add(fence || fenced ? null : line);
        }
        return lines;
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("deploy/README.md"),
                ROOT.resolve("clients/java/README.md")));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }
}
