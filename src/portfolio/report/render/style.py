"""The report page's style sheet: screen (a phone's 390 px up to a desktop), dark, print.

Kept apart from the HTML writer so each stays one job. What it guarantees, and
tests/browser checks: a table never widens the page (it scrolls inside its own box,
and its cells break between words, never inside one); a chart's text is at least
12 px on screen (below its 720-unit drawing width the chart scrolls in its box rather
than shrinking its text) and at least 11 px on A4; wording only a screen can act on
("hover a bar") is hidden in print.
"""

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #c8ccd2; --bg: #fff; --accent: #1f5fa8;
  --soft: #f3f5f8; --warn-bg: #fff4e0; --warn: #7a3e00; --edge: rgba(0, 0, 0, .25); }
* { box-sizing: border-box; }
html { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic",
  Meiryo, system-ui, sans-serif; color: var(--ink); background: var(--bg);
  line-height: 1.6; font-size: 15px; }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--ink); color: #fff;
  padding: .5em 1em; z-index: 10; }
.skip:focus { left: 0; }
header.doc { background: var(--ink); color: #fff; padding: 1.2rem 2rem; }
header.doc h1 { margin: 0; font-size: 1.6rem; }
header.doc p { margin: .3rem 0 0; color: #e6e6e6; }
header.doc a { color: #cfe3ff; }
.layout { display: grid; grid-template-columns: 16rem minmax(0, 1fr); gap: 2rem;
  max-width: 78rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
nav.toc { position: sticky; top: 1rem; align-self: start; font-size: .92rem; }
nav.toc ol { list-style: none; padding: 0; margin: 0; }
nav.toc li { margin: .15rem 0; }
nav.toc a { display: block; padding: .2rem .5rem; border-radius: 4px; text-decoration: none; }
nav.toc a:hover { background: var(--soft); }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--accent); padding-bottom: .2rem;
  margin-top: 2.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
section:first-of-type h2 { margin-top: 0; }
.notice { background: var(--warn-bg); color: var(--warn); border-left: 4px solid #c77700;
  padding: .6rem 1rem; }
.note { color: var(--muted); font-size: .9rem; }
.table-wrap { overflow-x: auto; margin: .8rem 0; max-width: 100%; }
table { border-collapse: collapse; font-size: .9rem; min-width: 50%; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left;
  vertical-align: top; }
thead th { background: var(--soft); }
tbody th { font-weight: 500; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font-family: "Noto Sans Mono CJK JP", ui-monospace, monospace; font-size: .88em;
  background: var(--soft); padding: 0 .25em; border-radius: 3px; }
figure.chart-figure { margin: 1rem 0 1.5rem; padding: .8rem; border: 1px solid var(--line);
  border-radius: 6px; }
figure.chart-figure figcaption { color: var(--muted); font-size: .88rem; margin-top: .3rem; }
figure details { margin-top: .5rem; font-size: .88rem; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-family: inherit; fill: var(--ink); font-size: 12px; }
svg.chart .tick { fill: #444; }
svg.chart .unit, svg.chart .legend { font-size: 12px; fill: #444; }
svg.chart .grid { stroke: #e3e6ea; stroke-width: 1; }
svg.chart .axis { stroke: #777; stroke-width: 1; }
svg.chart .lane { stroke: #d0d4da; stroke-dasharray: 3 3; }
svg.chart .band { fill: #fdf0dc; }
svg.chart .nodata { fill: var(--soft); stroke: var(--line); }
svg.chart .nodata-text { font-size: 14px; fill: var(--muted); }
svg.chart .rowlabel { font-size: 12px; }
main { min-width: 0; overflow-wrap: break-word; }
th, td { overflow-wrap: normal; hyphens: manual; }
.chart-scroll { overflow-x: auto; }
/* A box with more to the side shows a shadow on that edge (the covers scroll with the
   content, the shadows stay): a phone reader sees that the table or chart goes on. */
.chart-scroll, .table-wrap { background:
  linear-gradient(to right, var(--bg) 30%, transparent) left / 2rem 100% no-repeat local,
  linear-gradient(to left, var(--bg) 30%, transparent) right / 2rem 100% no-repeat local,
  radial-gradient(farthest-side at 0 50%, var(--edge), transparent) left / .8rem 100%
    no-repeat scroll,
  radial-gradient(farthest-side at 100% 50%, var(--edge), transparent) right / .8rem 100%
    no-repeat scroll; }
.chart-scroll svg.chart { min-width: 720px; }
.print-only { display: none; }
.nw { white-space: nowrap; }
ul.fields { padding-left: 1.2rem; }
ul.fields.bare { list-style: none; padding-left: 0; }
ul.fields .label { font-weight: 600; }
ul.checklist { list-style: none; padding-left: .2rem; }
ul.checklist .box { margin-right: .4em; }
.sr { position: absolute; left: -9999px; }
details.data { margin: .5rem 0 1rem; }
details.data summary { cursor: pointer; color: var(--accent); }
section.tiles { max-width: 78rem; margin: 0 auto; padding: 1rem 2rem 0; }
.tiles-h { margin: 0 0 .6rem; border: 0; font-size: 1.1rem; }
.tile-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr));
  gap: .8rem; }
.tile { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px;
  padding: .6rem .8rem; background: var(--soft); position: relative; }
.tile.met { border-left-color: #2e7d32; } .tile.warn { border-left-color: #c77700; }
.tile.missed { border-left-color: #b3261e; }
.tile-name { font-size: .85rem; color: var(--muted); }
.tile-value { font-size: 1.35rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.tile-target { font-size: .8rem; color: var(--muted); }
.tile-mark { position: absolute; top: .5rem; right: .6rem; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e8eaed; --muted: #b0b6be; --line: #4a5058; --bg: #16181c;
    --accent: #8ab4f8; --soft: #23262b; --warn-bg: #3a2a10; --warn: #ffd18a;
    --edge: rgba(255, 255, 255, .3); }
  header.doc { background: #0b0c0e; }
  svg.chart .tick, svg.chart .unit, svg.chart .legend { fill: #c9ccd1; }
  svg.chart .grid { stroke: #33373d; }
  svg.chart .band { fill: #3a3220; }
}
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; padding: 1rem; }
  nav.toc { position: static; } section.tiles { padding: 1rem 1rem 0; }
  header.doc { padding: 1rem; } }
@page { size: A4; margin: 14mm 12mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
@media print {
  html { font-size: 10.5pt; }
  .skip, nav.toc, header.doc .alt { display: none; }
  header.doc { background: none; color: var(--ink); padding: 0 0 .5rem;
    border-bottom: 3px solid var(--ink); }
  header.doc p { color: var(--muted); }
  .layout { display: block; padding: 0; max-width: none; }
  h2 { margin-top: 1.4rem; }
  h2, h3 { break-after: avoid; }
  tr { break-inside: avoid; }
  /* A chart keeps its lines together, but its caption may follow on the next page
     rather than the whole figure leaving half a page empty. */
  figure.chart-figure { break-inside: auto; }
  .chart-scroll, svg.chart { break-inside: avoid; }
  .chart-scroll { overflow: visible; }
  .chart-scroll, .table-wrap { background: none; }
  .chart-scroll svg.chart { min-width: 0; }
  .screen-only { display: none; }
  .print-only { display: inline; }
  figure details, details.data { display: none; }
  section.tiles { padding: .5rem 0 0; }
  .tile-grid { grid-template-columns: repeat(4, 1fr); }
  .table-wrap, table, .tile-grid { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
