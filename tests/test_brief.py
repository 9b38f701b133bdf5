"""`tindex explain ... --format markdown`: a shareable brief that renders cleanly.

The Markdown is rendered with markdown-it-py (installed with rich) as CommonMark plus
GitHub's tables and strikethrough, and the HTML is checked: headings, table rows,
caveats, a numbered source list, and data that cannot turn into markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from conftest import Result

Run = Callable[..., Result]


class Html(HTMLParser):
    """The rendered brief as (tag, text) blocks, table rows as lists of cells, and links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.blocks: list[tuple[str, str]] = []
        self.rows: list[list[str]] = []
        self.links: list[str] = []
        self._text: list[str] = []
        self._cells: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        if tag == "tr":
            self._cells = []
        if tag in ("h1", "h2", "h3", "li", "p", "td", "th"):
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text).strip()
        if tag in ("td", "th") and self._cells is not None:
            self._cells.append(text)
        elif tag == "tr" and self._cells is not None:
            self.rows.append(self._cells)
        elif tag in ("h1", "h2", "h3", "li", "p"):
            self.blocks.append((tag, text))

    def texts(self, tag: str) -> list[str]:
        return [text for t, text in self.blocks if t == tag]


def render(markdown: str) -> Html:
    return Html(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))


def brief(tindex: Run, *args: str) -> str:
    result = tindex("explain", *args, "--format", "markdown")
    assert result.code == 0, result.err
    assert result.err == ""
    return result.out


SOURCE_LINE = re.compile(r"^(\d+)\. ([\w-]+): .* <(https?://[^>]+)>$", re.M)


def test_country_brief_has_headings_tables_caveats_and_sources(tindex: Run) -> None:
    markdown = brief(tindex, "Kyrgyzstan")
    assert markdown.startswith("# Kyrgyzstan (KGZ)\n\n")
    assert "\n\n\n" not in markdown and markdown.endswith(">\n")  # ends with a source's URL
    page = render(markdown)
    assert page.texts("h1") == ["Kyrgyzstan (KGZ)"]
    assert page.texts("h2") == [
        "CSP Index on Torture scores", "What drove the changes (as published)",
        "OMCT Global Torture Index 2025 by pillar", "Key facts",
        "Recommendations (as published, condensed)", "Notes", "Sources"]
    assert page.tags.count("table") == 3
    # Table rows cite their sources and caveats by the keys listed under Notes and Sources.
    assert ["2024", "64.49", "-15.87", "-19.7%", "5", "7", "0", "csp-2025",
            "kgz-2024-stated-change; csp-scale; csp-table-split; csp-coverage"] in page.rows
    # A change cites the caveats of both its years (2022's coverage text, here).
    assert ["2023", "80.36", "+45.61", "+131.3%", "5", "7", "0", "csp-2025",
            "csp-scale; csp-table-split; csp-coverage; csp-2022-coverage-text"] in page.rows
    assert ["5", "Victim's rights", "Very High", "omct-gti-kgz-2025"] in page.rows
    assert ("CSP Index on Torture: change: -15.87 [csp-2025] (caveats: kgz-2024-stated-change, "
            "csp-scale, csp-table-split, csp-coverage)") in page.texts("li")
    # 64.49 - 9.45 over 2019-2024; the largest rise and fall typed from the published table.
    trend = [t for t in page.texts("li") if t.startswith("CSP Index on Torture: trend: ")]
    assert trend == ["CSP Index on Torture: trend: 2019-2024: +55.04 (9.45 to 64.49); largest "
                     "rise 2023 (+45.61); largest fall 2024 (-15.87); best rank 4 of 7 (2019). "
                     "[csp-2025] (caveats: csp-scale, csp-table-split, csp-2019-pilot, csp-coverage, "
                     "csp-2022-coverage-text, kgz-2024-stated-change)"]
    caveats = [t for t in page.texts("li") if "fell by 11.29 points in 2024" in t]
    assert len(caveats) == 1
    assert caveats[0].startswith("kgz-2024-stated-change: ")
    assert caveats[0].endswith("[csp-2025; csp-2025-birduino]")


def test_sources_are_a_numbered_list_that_matches_the_ids_cited(tindex: Run) -> None:
    markdown = brief(tindex, "Kyrgyzstan")
    numbered = SOURCE_LINE.findall(markdown)
    assert [int(n) for n, _, _ in numbered] == list(range(1, len(numbered) + 1))
    ids = [source_id for _, source_id, _ in numbered]
    assert len(ids) == len(set(ids))
    # Every key cited in a table row or a note is in the list.
    assert {"csp-2025", "csp-2024", "omct-gti-kgz-2025", "ngo-central-asia-2025",
            "csp-2025-birduino", "iphr-central-asia-2014"} <= set(ids)
    page = render(markdown)
    assert page.tags.count("ol") == 2  # Notes, then Sources
    assert [url for _, _, url in numbered] == page.links  # the only links are the sources
    assert page.texts("li")[-len(numbered)].startswith(
        "csp-2025: The Civic Solidarity Platform’s Working Group on the Fight Against Torture "
        "presents its sixth annual Index on Torture. Civic Solidarity Platform")


def test_escaping_keeps_the_source_readable(tindex: Run) -> None:
    markdown = brief(tindex, "Kyrgyzstan")
    for plain in ("(KGZ)", "| +45.61 | +131.3% |", "| pct_change |", "(as published)"):
        assert plain in markdown
    assert "\\(" not in markdown and "\\+" not in markdown and "\\_" not in markdown
    gti = brief(tindex, "gti")
    assert "Low < Moderate < Considerable < High < Very High" in gti
    assert "Low < Moderate < Considerable < High < Very High" in "".join(render(gti).texts("li"))


@pytest.mark.parametrize(("subject", "headings", "tables"), [
    ("Tajikistan", ["Indices", "Key facts", "Recommendations (as published, condensed)",
                    "Notes", "Sources"], 1),
    ("csp", ["About", "Countries with data in tindex, and measured by the publisher",
             "Releases in the data", "Notes", "Sources"], 2),
    ("gti", ["About", "Countries with data in tindex, and measured by the publisher", "Pillars",
             "Overall levels in tindex for 2025", "Notes", "Sources"], 3),
])
def test_other_briefs_render_cleanly(tindex: Run, subject: str, headings: list[str],
                                     tables: int) -> None:
    page = render(brief(tindex, subject))
    assert page.texts("h2") == headings
    assert page.tags.count("table") == tables and page.tags.count("ol") == 2
    assert not {"em", "code", "pre", "blockquote", "hr", "del", "s", "img"} & set(page.tags)
    assert not any("\\" in text for _, text in page.blocks)  # no escape left visible


HOSTILE = r"*Kyr_gyz* [x](http://evil.example) <b>bold</b> | &copy; `c` ~~s~~ #1 \ _em_ #"
BLOCK_STARTS = ["# not a heading", "1. not a list", "- not a list", "> not a quote", "---",
                "+ plus", "2024) paren", "<div>html</div>", "[ ] task", "[x]: http://evil.example"]


@pytest.fixture
def hostile_data(data_copy: Path) -> Path:
    """The bundled data with Kyrgyzstan renamed to Markdown soup, and caveats that open blocks."""
    for path in data_copy.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?<![_/])Kyrgyzstan", lambda _: HOSTILE, text), encoding="utf-8")
    with (data_copy / "caveats.csv").open("a", encoding="utf-8") as caveats:
        for number, text in enumerate(BLOCK_STARTS):
            caveats.write(f"hostile-{number},csp,KGZ,,,{text},csp-2025\n")
    return data_copy


def test_markdown_from_data_is_escaped(tindex: Run, hostile_data: Path) -> None:
    markdown = brief(tindex, "KGZ", "--data-dir", str(hostile_data))
    page = render(markdown)
    assert page.texts("h1") == [f"{HOSTILE} (KGZ)"]  # shown literally, nothing interpreted
    assert f"Country: {HOSTILE}" in page.texts("li")
    assert not {"em", "code", "pre", "blockquote", "hr", "del", "s", "b", "div", "input",
                "h3"} & set(page.tags)
    assert page.tags.count("h1") == 1 and page.tags.count("ol") == 2
    assert page.tags.count("strong") == len(re.findall(r"^- \*\*", markdown, re.M))
    assert "http://evil.example" not in page.links and all(
        link.startswith("https://") or link.startswith("http://www.civicsolidarity.org")
        for link in page.links)
    for number, text in enumerate(BLOCK_STARTS):  # still one list item each, as written
        assert f"hostile-{number}: {text} [csp-2025]" in page.texts("li")
    facts = [row for row in page.rows if row and row[0] == f"Year {HOSTILE} became party to OPCAT"]
    assert len(facts) == 1 and len(facts[0]) == 6  # the "|" did not split the cell
    assert facts[0][:4] == [f"Year {HOSTILE} became party to OPCAT", "2008", "", ""]
    assert facts[0][4] == "iphr-central-asia-2014"  # cited by its key in the source list
    assert "&copy;" in page.texts("h1")[0]  # an entity from data stays text
