#!/usr/bin/env python3
"""Split the long README.md into a short README.md and the pages of docs/ (issue 22, item 6).

A one-off migration tool: README.md is being edited in several branches at once, so the split is re-run on the merged
README rather than done by hand. After it has been applied on main, docs/*.md are edited directly and this script and
docs/templates/ are deleted (DocsReferenceTest keeps the reference pages honest from then on).

Usage (from the repository root, python3, standard library only):

    python3 docs/split-readme.py            # split README.md, write README.md + docs/*.md, rewrite references
    python3 docs/split-readme.py --check    # do everything but write nothing; print what would change

What it does:
  - every README heading (##, ###, ...; headings inside code blocks do not count) is looked up in SECTIONS, which
    names the page it moves to; a heading SECTIONS does not know stops the script, naming it;
  - pages are docs/templates/<page> (hand-written title and intro) with {{toc}} and {{sections}} filled in; the new
    README is docs/templates/README.md with the two commands, the clients that work as they are and the page list
    read from the README being split;
  - links inside moved text (#anchors, relative paths, "Quoted section" references) are rewritten for their new page;
    references to README sections from deploy/, src/, bench/, .ci/, clients/ and pom.xml are rewritten to the page
    that now holds the section, or listed for a person to review;
  - every relative link of the result is checked (file exists, anchor exists) before anything is written.
"""

import hashlib
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TEMPLATES = DOCS / "templates"

# README heading -> page it moves to ("README.md" keeps it in the short README). A key ending in ':' also matches
# headings that start with it (so "Autopilot: ... (plan file or ConfigMap)" needs no change here).
SECTIONS = {
    "Quick start": "quick-start.md",
    "Wire behaviour": "architecture.md",
    "How the merged answer is made": "architecture.md",
    "Configuration": "configuration.md",
    "TLS": "configuration.md",
    "Migration plan": "migration.md",
    "Key movement, known before each step": "migration.md",
    "Runbook:": "migration.md",
    "Node statistics:": "migration.md",
    "Autopilot:": "migration.md",
    "Running against real clusters by cluster ID": "deployment.md",
    "Watching a migration:": "operations.md",
    "Deploying on EKS": "deployment.md",
    "Hardening": "operations.md",
    "Performance": "performance.md",
    "Key movement of the next steps": "performance.md",
    "Architecture": "architecture.md",
    "The emulated configuration endpoint": "architecture.md",
    "Pointing clients at Memgrate": "clients.md",
    "Java: use the adapter": "clients.md",
    "What each client does behind Memgrate": "clients.md",
    "Hashing: one setting per client": "clients.md",
    "Tests": "tests.md",
    "License": "README.md",
}

# Pages in the order README lists them. A page's sections keep README's order, except that a page may name the
# top-level sections it starts with (the rest follow in README's order).
PAGES = ["quick-start.md", "migration.md", "configuration.md", "clients.md", "operations.md", "deployment.md",
         "troubleshooting.md", "performance.md", "architecture.md", "tests.md"]
FIRST = {"architecture.md": ["Architecture"], "deployment.md": ["Deploying on EKS"]}

# Sections whose paragraphs start with a bold label ("**Health** (...):") become a heading per label, so the
# page's contents list them.
PROMOTE_BOLD = ["Watching a migration:"]

# A page at least this long gets a table of contents.
TOC_MIN_LINES = 60

# Files outside README and docs/ whose references to README sections are rewritten (or reported).
REFERRING = ["deploy", "src", "bench", ".ci", "clients", "pom.xml"]
REFERRING_SUFFIXES = {".md", ".java", ".yaml", ".yml", ".properties", ".html", ".sh", ".xml", ".js", ".css", ""}

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6}) +(.+?) *#*$")
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
HTML_ID = re.compile(r'<a id="([^"]+)"></a>')


def fail(message):
    sys.exit("split-readme: " + message)


def slug(heading_text):
    """GitHub's anchor for a heading: markup dropped, lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading_text)
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    text = text.strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def unique_slugs(titles):
    seen, out = {}, []
    for t in titles:
        s = slug(t)
        n = seen.get(s, 0)
        out.append(s if n == 0 else f"{s}-{n}")
        seen[s] = n + 1
    return out


def headings(lines):
    """(index, level, text) of each markdown heading outside code blocks."""
    out, fenced = [], False
    for i, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
            continue
        m = HEADING.match(line)
        if m and not fenced:
            out.append((i, len(m.group(1)), m.group(2)))
    return out


def page_of(title):
    if title in SECTIONS:
        return SECTIONS[title]
    for key, page in SECTIONS.items():
        if key.endswith(":") and title.startswith(key):
            return page
    return None


class Section:
    def __init__(self, level, title, body):
        self.level, self.title, self.body = level, title, body
        self.page = page_of(title)


def read_readme():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = text.split("\n")
    hs = headings(lines)
    if not hs or hs[0][1] != 1:
        fail("README.md does not start with a '# Title' heading")
    template_title = (TEMPLATES / "README.md").read_text(encoding="utf-8").split("\n")
    already = [h for h in hs if h[1] == 2 and ("## " + h[2]) in template_title]
    if already and (DOCS / "configuration.md").exists():
        fail("README.md looks split already (it has the template's headings); split the long one: "
             "git checkout <commit before the split> -- README.md")
    opening = lines[hs[0][0] + 1:hs[1][0]] if len(hs) > 1 else lines[hs[0][0] + 1:]
    sections = []
    for n, (i, level, title) in enumerate(hs[1:], start=1):
        end = hs[n + 1][0] if n + 1 < len(hs) else len(lines)
        sections.append(Section(level, title, lines[i + 1:end]))
    sections = [part for s in sections for part in promote_bold_labels(s)]
    unknown = [f"{'#' * s.level} {s.title}" for s in sections if s.page is None]
    if unknown:
        fail("README has headings that SECTIONS in docs/split-readme.py does not map to a page:\n  "
             + "\n  ".join(unknown) + "\nadd each to SECTIONS (heading -> page), then run again")
    return opening, sections


def promote_bold_labels(section):
    """The section, cut at each paragraph that starts with a bold label, the label becoming a heading one level down."""
    if not any(section.title == k or k.endswith(":") and section.title.startswith(k) for k in PROMOTE_BOLD):
        return [section]
    parts, current, fenced = [section], section.body, False
    section.body = []
    for i, line in enumerate(current):
        if FENCE.match(line):
            fenced = not fenced
        m = re.match(r"^\*\*([A-Z][^*]{1,40})\*\*(.*)$", line)
        if m and not fenced and (i == 0 or current[i - 1] == ""):
            rest = m.group(2)
            paren = re.match(r"^ \((.*)\):$", rest)
            rest = paren.group(1) + ":" if paren else re.sub(r"^:? +", "", rest)
            label = Section(section.level + 1, m.group(1), ["", rest[:1].upper() + rest[1:]])
            label.page = section.page
            parts.append(label)
        else:
            parts[-1].body.append(line)
    return parts


def order_sections(sections):
    """Sections per page: each top-level section with the deeper ones under it, pages' FIRST sections first."""
    blocks, current = [], None
    for s in sections:
        if s.level == 2 or current is None:
            current = [s]
            blocks.append(current)
        elif s.page == current[0].page:
            current.append(s)
        else:  # a subsection that moves to another page than its parent's
            current = [s]
            blocks.append(current)
    by_page = {}
    for b in blocks:
        by_page.setdefault(b[0].page, []).append(b)
    for page, firsts in FIRST.items():
        bs = by_page.get(page, [])
        bs.sort(key=lambda b: firsts.index(b[0].title) if b[0].title in firsts else len(firsts))
    return {p: [s for b in bs for s in b] for p, bs in by_page.items()}


def anchor_map(by_page):
    """Old README anchor -> (page, anchor on that page), for headings and <a id> anchors."""
    old_titles = [s.title for ss in by_page.values() for s in ss]
    old = dict(zip(unique_slugs(old_titles), old_titles))
    where = {}
    for page, ss in by_page.items():
        for s, new in zip(ss, unique_slugs([s.title for s in ss])):
            where[s.title] = (page, new)
            for line in s.body:
                for a in HTML_ID.findall(line):
                    where["<a id>" + a] = (page, a)
    out = {a: where[t] for a, t in old.items()}
    out.update({k[len("<a id>"):]: v for k, v in where.items() if k.startswith("<a id>")})
    return out, where


def resolve_title(text, where):
    """The heading a quoted reference like "Runbook" means: the exact title, or the one title it starts with."""
    if text in where:
        return text
    found = [t for t in where if not t.startswith("<a id>") and t.startswith(text) and t[len(text):len(text) + 1] in (":", ",")]
    return found[0] if len(found) == 1 else None


def href(target_page, anchor, from_page):
    """A link from from_page (a docs page, or README.md at the root) to target_page#anchor."""
    if target_page == from_page:
        return "#" + anchor
    if from_page == "README.md":
        path = target_page if target_page == "README.md" else "docs/" + target_page
    else:
        path = "../README.md" if target_page == "README.md" else target_page
    return path + "#" + anchor


def split_code(line):
    """Alternating prose and `code` pieces of one line (odd indexes are code spans)."""
    return line.split("`")


def rewrite_line(line, page, anchors, where):
    def relink(m):
        target = m.group(2)
        if target.startswith("#"):
            a = target[1:]
            if a in anchors:
                p, na = anchors[a]
                return m.group(1) + href(p, na, page) + m.group(3)
            return m.group(0)
        if re.match(r"^[a-z]+:", target) or page == "README.md":
            return m.group(0)
        return m.group(1) + "../" + target + m.group(3)

    pieces = split_code(line)
    for k in range(0, len(pieces), 2):
        piece = LINK.sub(relink, pieces[k])

        def quoted(m):
            title = resolve_title(m.group(1), where)
            if title is None or m.start() > 0 and piece[m.start() - 1] == "[":
                return m.group(0)
            p, a = where[title]
            return f'["{m.group(1)}"]({href(p, a, page)})'

        def parenthesised(m):
            if m.group(1) not in where:
                return m.group(0)
            p, a = where[m.group(1)]
            return f"([{m.group(1)}]({href(p, a, page)}))"

        piece = re.sub(r'"([A-Z][^"\n]{1,60})"', quoted, piece)
        piece = re.sub(r"\(([A-Z][A-Za-z ]{2,40})\)", parenthesised, piece)
        pieces[k] = piece
    return "`".join(pieces)


def rewrite_body(lines, page, anchors, where):
    out, fenced = [], False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
            out.append(line)
        else:
            out.append(line if fenced else rewrite_line(line, page, anchors, where))
    return out


def toc(lines):
    """A list of the page's ## and ### headings, linked by their GitHub anchors."""
    hs = headings(lines)
    out = ["## Contents", ""]
    for (_, level, title), anchor in zip(hs, unique_slugs([t for _, _, t in hs])):
        if level in (2, 3):
            out.append(("  " if level == 3 else "") + f"- [{re.sub(r'[`*]', '', title)}](#{anchor})")
    return out


def fill(template, values, name):
    def sub(m):
        if m.group(1) not in values:
            fail(f"{name}: unknown placeholder {{{{{m.group(1)}}}}}")
        return values[m.group(1)]
    return re.sub(r"\{\{([a-z-]+)\}\}", sub, template)


def summary(template_text, name):
    m = re.search(r"<!-- summary: (.+?) -->", template_text)
    if not m:
        fail(f"docs/templates/{name} has no '<!-- summary: ... -->' line (the README's page list uses it)")
    return m.group(1)


def strip_comments(text):
    return re.sub(r"<!-- (summary|opening-sha256): .*? -->\n", "", text)


def fenced_block_after(sections, marker):
    """The first fenced block after the line holding marker, verbatim (the short README shows it as it is)."""
    for s in sections:
        for i, line in enumerate(s.body):
            if marker in line:
                start = next((j for j in range(i + 1, len(s.body)) if FENCE.match(s.body[j])), None)
                if start is None:
                    break
                end = next(j for j in range(start + 1, len(s.body)) if FENCE.match(s.body[j]))
                return "\n".join(s.body[start:end + 1])
    fail(f"README has no code block after '{marker}' (the short README shows it as one of the two commands)")


def clients_as_they_are(sections):
    """Clients README's client tables say follow Memgrate as they are (or with the adapter), one bullet each."""
    s = next((s for s in sections if s.title == "What each client does behind Memgrate"), None)
    if s is None:
        fail("README has no 'What each client does behind Memgrate' section to read the working clients from")
    bullets, header = [], None
    for line in s.body:
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if header is None:
            header = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        row = dict(zip(header, cells))
        if "follows Memgrate as is" in row and row["follows Memgrate as is"].startswith("**yes**"):
            bullets.append(f"- {row['client']}")
        elif "follows a node drained" in row and row["follows a node drained"].startswith("yes"):
            bullets.append(f"- {row['client']} with {row['setting']} (the adapter in `clients/java`)")
    if not bullets:
        fail("found no client marked as following Memgrate in README's client tables")
    return "\n".join(bullets)


def build():
    opening, sections = read_readme()
    by_page = order_sections(sections)
    anchors, where = anchor_map(by_page)
    for page in by_page:
        if page != "README.md" and page not in PAGES:
            fail(f"SECTIONS names page {page}, which PAGES does not list")
    templates = {}
    for page in PAGES + ["README.md"]:
        path = TEMPLATES / page
        if not path.exists():
            fail(f"docs/templates/{page} is missing (the hand-written title and intro of {page})")
        templates[page] = path.read_text(encoding="utf-8")

    # README's opening: a tagline, what Memgrate is, then the migration, which docs/migration.md keeps whole.
    opening_text = "\n".join(opening).strip()
    paragraphs = opening_text.split("\n\n")
    if len(paragraphs) < 3:
        fail("README's opening should be a tagline, a paragraph saying what Memgrate is, then the migration")
    values = {
        "tagline": paragraphs[0],
        "what-it-is": paragraphs[1],
        "opening": "\n\n".join(paragraphs[2:]),
        "run-command": fenced_block_after(sections, "**Run Memgrate**"),
        "test-command": fenced_block_after(sections, "**Run the tests**"),
        "clients": clients_as_they_are(sections),
        "pages": "\n".join(f"- [{page_title(templates[p])}](docs/{p}): {summary(templates[p], p)}" for p in PAGES),
    }
    outputs = {}
    for page in PAGES + ["README.md"]:
        body = []
        for s in by_page.get(page, []):
            body.append("#" * s.level + " " + s.title)
            body.extend(s.body)
        while body and body[-1] == "":
            body.pop()
        template = strip_comments(templates[page])
        page_values = dict(values, sections="\n".join(body), toc="{{toc}}")
        text = fill(template, page_values, page)
        text = "\n".join(rewrite_body(text.split("\n"), page, anchors, where))
        lines = text.split("\n")
        contents = "\n".join(toc(lines)) if page != "README.md" and len(lines) >= TOC_MIN_LINES else ""
        text = text.replace("{{toc}}", contents)
        outputs[ROOT / page if page == "README.md" else DOCS / page] = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"

    notes = []
    written_for = re.search(r"<!-- opening-sha256: ([0-9a-f]+) -->", templates["README.md"])
    digest = hashlib.sha256(opening_text.encode()).hexdigest()
    if written_for is None or written_for.group(1) != digest:
        notes.append("README's opening changed since docs/templates/README.md summarised it (it is kept whole in "
                     "docs/migration.md): check the template's ten-line migration against it, then set the "
                     f"template's opening-sha256 to {digest}")
    return outputs, where, notes


def page_title(template_text):
    m = re.search(r"^# (.+)$", template_text, re.MULTILINE)
    if not m:
        fail("a page template has no '# Title' line")
    return m.group(1)


# References to README sections from files outside README and docs/.
QUOTED_REF = re.compile(r'(?<![/\w])README(?:\.md)?(?:\'s)?(?: section)?,? *"([^"\n]+)"')
BARE_REF = re.compile(r"(?<![/\w])README(?:\.md)?,? +([A-Z][A-Za-z ]+)")
IN_REF = re.compile(r'"([^"\n]+)" in README(?:\.md)?\b')
TABLE_REF = {"configuration table": "configuration.md", "client table": "clients.md"}


def rewrite_references(where, outputs):
    """Rewrite 'README, "Section"' references outside README and docs/; return (rewritten, to review)."""
    rewritten, review = [], []
    files = []
    for name in REFERRING:
        p = ROOT / name
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(f for f in p.rglob("*") if f.is_file() and f.suffix in REFERRING_SUFFIXES
                         and "target" not in f.relative_to(ROOT).parts and "node_modules" not in f.parts)
    for f in sorted(files):
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if "README" not in text:
            continue
        rel = f.relative_to(ROOT)
        markdown = f.suffix == ".md"
        to_root = os.path.relpath(ROOT, f.parent)
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if "README" not in line:
                continue
            new = line

            def target(title):
                t = resolve_title(title, where)
                return (t, where[t]) if t else (None, None)

            def quoted(m):
                t, pa = target(m.group(1))
                if t is None or pa[0] == "README.md":
                    return m.group(0)
                page, anchor = pa
                if markdown:
                    return f'[docs/{page}, "{m.group(1)}"]({os.path.relpath(DOCS / page, f.parent)}#{anchor})'
                return f'docs/{page}, "{m.group(1)}"'

            def bare(m):
                words = m.group(1)
                for n in range(len(words), 0, -1):
                    t = words[:n].strip()
                    if t in where and where[t][0] != "README.md":
                        return f"docs/{where[t][0]}, {t}" + words[n:]
                return m.group(0)

            def in_readme(m):
                t, pa = target(m.group(1))
                if t is None or pa[0] == "README.md":
                    return m.group(0)
                return f'"{m.group(1)}" in docs/{pa[0]}'

            new = QUOTED_REF.sub(quoted, new)
            new = IN_REF.sub(in_readme, new)
            if not markdown:
                new = BARE_REF.sub(bare, new)
            for phrase, page in TABLE_REF.items():
                new = re.sub(r"\bREADME(?:\.md)?'s " + phrase, f"docs/{page}'s " + phrase, new)
            if new != line:
                rewritten.append(f"{rel}:{i + 1}: {line.strip()}\n    -> {new.strip()}")
                lines[i] = new
            elif "README" in re.sub(r"(deploy|clients/java)/README(\.md)?", "", line):
                review.append(f"{rel}:{i + 1}: {line.strip()}")
        if "\n".join(lines) != text:
            outputs[f] = "\n".join(lines)
    return rewritten, review


def check_links(outputs):
    """Every relative link in the written markdown reaches a file, and its #anchor a heading or <a id> there."""
    def anchors_of(path):
        text = outputs.get(path)
        if text is None:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        lines = text.split("\n")
        ids = set(unique_slugs([t for _, _, t in headings(lines)]))
        return ids | set(HTML_ID.findall(text))

    broken = []
    for path, text in outputs.items():
        if path.suffix != ".md":
            continue
        fenced = False
        for n, line in enumerate(text.split("\n"), start=1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                continue
            for piece in split_code(line)[0::2]:
                for m in LINK.finditer(piece):
                    target = m.group(2)
                    if re.match(r"^[a-z]+:", target):
                        continue
                    file_part, _, anchor = target.partition("#")
                    dest = (path.parent / file_part).resolve() if file_part else path
                    if not dest.exists() and dest not in outputs:
                        broken.append(f"{path.relative_to(ROOT)}:{n}: {target} (no such file)")
                    elif anchor and dest.suffix == ".md" and anchor not in anchors_of(dest):
                        broken.append(f"{path.relative_to(ROOT)}:{n}: {target} (no such anchor)")
    return broken


def main():
    check_only = "--check" in sys.argv[1:]
    unknown_args = [a for a in sys.argv[1:] if a != "--check"]
    if unknown_args:
        fail(f"unknown arguments {unknown_args}; usage: python3 docs/split-readme.py [--check]")
    outputs, where, notes = build()
    rewritten, review = rewrite_references(where, outputs)
    broken = check_links(outputs)
    if broken:
        fail("broken links in the result (fix the template or SECTIONS, nothing was written):\n  " + "\n  ".join(broken))
    for path, text in outputs.items():
        if not check_only:
            path.write_text(text, encoding="utf-8")
    verb = "would write" if check_only else "wrote"
    for path in sorted(p for p in outputs if p.suffix == ".md" and (p.parent == DOCS or p == ROOT / "README.md")):
        print(f"{verb} {path.relative_to(ROOT)}: {outputs[path].count(chr(10))} lines")
    if rewritten:
        print(f"\nreferences to README sections rewritten ({len(rewritten)}):")
        print("\n".join("  " + r for r in rewritten))
    if review:
        print(f"\nreferences to README to review by hand ({len(review)}):")
        print("\n".join("  " + r for r in review))
    for n in notes:
        print("\nNOTE: " + n)


if __name__ == "__main__":
    main()
