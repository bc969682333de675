// The status page: current health, daily uptime bars, a latency chart and recent incidents.
// Every number shown is one the API returned; a missing one is shown as "no data".
// Every time is shown in the zone the server reports in (its PORTFOLIO_REPORT__TIMEZONE,
// which /api/v1/status names), with the zone's name beside it.
import { API_BASE } from "./config.js";
import { getJson, el, svg } from "./api.js";
import { locale, setupLanguage, t } from "./i18n.js";

let data = null; // the last answers: {status, window, live}
let failure = null;

const pct = (value, digits = 3) => (value === null ? t("nodata") : `${value.toFixed(digits)} %`);
const ms = (value) => (value === null ? t("nodata") : `${value.toFixed(1)} ms`);

function timeParts(when, zone) {
  const format = new Intl.DateTimeFormat(locale(), {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
    minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
  });
  return Object.fromEntries(format.formatToParts(new Date(when)).map((p) => [p.type, p.value]));
}

// "2025-08-12 21:00 JST": the same shape as the command line's, in both languages.
function fmtTime(iso, zone) {
  if (!iso) return "—";
  const p = timeParts(iso, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

const zoneName = (zone) => timeParts(Date.now(), zone).timeZoneName;

// A calendar date of the API ("2025-08-12"), short: "8月12日" or "Aug 12".
function fmtDay(date) {
  return new Intl.DateTimeFormat(locale(), { month: "short", day: "numeric", timeZone: "UTC" })
    .format(new Date(`${date}T00:00:00Z`));
}

function uptimeClass(value) {
  if (value === null) return "none";
  if (value >= 99.9) return "ok";
  if (value >= 99) return "warn";
  return "bad";
}

function renderCurrent(status) {
  const node = document.getElementById("current");
  node.textContent = t(`status.state.${status.current.state}`);
  node.className = `state state-${status.current.state}`;
  node.dataset.state = status.current.state;
  document.getElementById("checked-at").textContent = fmtTime(status.current.checked_at, status.timezone);
  const total = document.getElementById("uptime-total");
  total.textContent = pct(status.uptime_percent);
  total.dataset.value = status.uptime_percent ?? "";
}

// Four dates under the bars (first, two between, last), spread as the bars are.
function dateLabels(days) {
  const count = Math.min(4, days.length);
  const picks = [...new Set(Array.from({ length: count },
    (_, k) => Math.round((k * (days.length - 1)) / Math.max(1, count - 1))))];
  return el("p", { class: "bar-dates" }, picks.map((i) =>
    el("span", { "data-date": days[i].date }, [fmtDay(days[i].date)])));
}

function renderBars(status) {
  const days = status.days;
  document.getElementById("uptime-h").textContent = t("status.daily", { n: days.length });
  const width = 900;
  const gap = 2;
  const bar = (width - gap * (days.length - 1)) / days.length;
  const down = days.filter((d) => d.failed > 0).length;
  const label = t("status.bars.label", { n: days.length, down });
  const chart = svg("svg", { viewBox: `0 0 ${width} 48`, role: "img", "aria-label": label,
    class: "bars" }, [svg("title", {}, [label])]);
  days.forEach((day, i) => {
    const value = day.uptime_percent === null ? t("nodata")
      : t("status.bars.failed", { uptime: day.uptime_percent, failed: day.failed, probes: day.probes });
    chart.append(svg("rect", {
      x: (i * (bar + gap)).toFixed(2), y: 0, width: bar.toFixed(2), height: 48, rx: 1.5,
      class: `day ${uptimeClass(day.uptime_percent)}`,
      "data-date": day.date, "data-uptime": day.uptime_percent ?? "",
    }, [svg("title", {}, [`${day.date} (${fmtDay(day.date)}): ${value}`])]));
  });
  const note = el("p", { class: "note", id: "dates-zone" },
    [t("status.dates-zone", { zone: `${status.timezone} (${zoneName(status.timezone)})` })]);
  const bad = days.filter((d) => d.failed > 0);
  const table = el("table", {}, [
    el("thead", {}, [el("tr", {}, ["status.col.date", "status.col.uptime", "status.col.failed"]
      .map((h) => el("th", { scope: "col" }, [t(h)])))]),
    el("tbody", {}, bad.map((d) => el("tr", {}, [
      el("th", { scope: "row" }, [d.date]), el("td", {}, [pct(d.uptime_percent)]),
      el("td", {}, [`${d.failed} / ${d.probes}`])]))),
  ]);
  const details = el("details", {}, [el("summary", {}, [t("status.failures", { n: bad.length })]), table]);
  document.getElementById("uptime-bars").replaceChildren(chart, dateLabels(days), note, details);
}

function renderIncidents(status) {
  const list = document.getElementById("incidents");
  const none = document.getElementById("incidents-none");
  // An empty state is a sentence, not item 1 of a numbered list.
  none.hidden = status.incidents.length > 0;
  list.hidden = !none.hidden;
  if (!status.incidents.length) {
    none.textContent = t("status.no-incidents");
    list.replaceChildren();
    return;
  }
  const zone = status.timezone;
  list.replaceChildren(...status.incidents.map((i) => el("li", {
    class: `incident ${i.kind}`, "data-incident-id": i.id,
  }, [
    el("strong", {}, [t(`status.kind.${i.kind}`)]), " ",
    el("time", { datetime: i.start }, [fmtTime(i.start, zone)]), " – ",
    i.end ? el("time", { datetime: i.end }, [fmtTime(i.end, zone)]) : t("status.ongoing"),
    i.minutes === null ? "" : ` (${t("status.minutes", { n: i.minutes })})`,
    el("span", { class: "summary" }, [` — ${i.summary}`]),
  ])));
}

// Axis step of 1, 2, 2.5 or 5 × 10^k giving about four grid lines.
function niceStep(top) {
  const raw = top / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
}

// One line chart of p50 and p95 per hour for the chosen endpoint's series. It is drawn at
// the width it is shown at (one unit a CSS pixel), so its text stays 12 px on a phone.
function latencyChart(window, endpoint, zone) {
  const series = window.series.find((s) => s.endpoint === endpoint);
  const holder = document.getElementById("latency-chart");
  if (!series || !series.points.length) {
    holder.replaceChildren(el("p", { class: "nodata", role: "note" }, [t("nodata")]));
    return;
  }
  const start = Date.parse(window.start);
  const hours = Math.round((Date.parse(window.end) - start) / 3600000);
  const W = Math.max(280, Math.round(holder.clientWidth || 900));
  const [H, L, R, T, B] = [240, 44, 14, 26, 44];
  const top = Math.max(1, ...series.points.flatMap((p) => [p.latency_ms.p95 ?? 0, p.latency_ms.p50 ?? 0]));
  const step = niceStep(top);
  const high = Math.ceil(top / step) * step;
  const x = (iso) => L + ((Date.parse(iso) - start) / 3600000 + 0.5) * (W - L - R) / hours;
  const y = (v) => H - B - (H - B - T) * v / high;
  const label = t("status.chart.label", { endpoint, hours });
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
    "aria-label": label, class: "latency" }, [svg("title", {}, [label])]);
  for (let v = 0; v <= high + 1e-9; v += step) {
    chart.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
    chart.append(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, [`${+v.toFixed(2)}`]));
  }
  // The y-axis says its unit above its top tick.
  chart.append(svg("text", { x: 4, y: T - 12, class: "unit" }, [t("status.chart.y")]));
  const every = (W - L - R) / hours < 14 ? 6 : 3; // at least ~40 px between labels
  for (let h = 0; h <= hours; h += every) {
    const p = timeParts(start + h * 3600000, zone);
    // The first and the last label are anchored inside the chart so neither is cut.
    const anchor = h === 0 ? "start" : h + every > hours ? "end" : "middle";
    chart.append(svg("text", { x: L + h * (W - L - R) / hours, y: H - B + 18, "text-anchor": anchor,
      class: "tick hour" }, [`${p.hour}:${p.minute}`]));
  }
  chart.append(svg("text", { x: L + (W - L - R) / 2, y: H - 6, "text-anchor": "middle", class: "unit" },
    [t("status.chart.x", { zone: zoneName(zone) })]));
  for (const key of ["p50", "p95"]) {
    const pts = series.points.filter((p) => p.latency_ms[key] !== null);
    chart.append(svg("polyline", { class: `line ${key}`, fill: "none",
      points: pts.map((p) => `${x(p.start).toFixed(1)},${y(p.latency_ms[key]).toFixed(1)}`).join(" ") }));
    for (const p of pts) {
      chart.append(svg("circle", { cx: x(p.start).toFixed(1), cy: y(p.latency_ms[key]).toFixed(1), r: 3,
        class: `pt ${key}`, "data-start": p.start, "data-value": p.latency_ms[key] },
      [svg("title", {}, [t("status.chart.point", { time: fmtTime(p.start, zone), key,
        value: ms(p.latency_ms[key]), count: p.count })])]));
    }
  }
  holder.replaceChildren(chart);
}

function renderMetrics(window, zone) {
  const select = document.getElementById("endpoint");
  const endpoints = Object.entries(window.summary.by_endpoint).sort((a, b) => b[1] - a[1]);
  const chosen = select.value || (endpoints[0] ? endpoints[0][0] : "");
  select.replaceChildren(...endpoints.map(([name, count]) =>
    el("option", { value: name }, [`${name} (${count})`])));
  if (chosen) select.value = chosen;
  select.onchange = () => latencyChart(window, select.value, zone);
  document.getElementById("requests").textContent = String(window.summary.count);
  document.getElementById("error-rate").textContent =
    window.summary.error_rate === null ? t("nodata") : `${(100 * window.summary.error_rate).toFixed(3)} %`;
  document.getElementById("p95-all").textContent = ms(window.summary.latency_ms.p95);
  latencyChart(window, select.value, zone);
}

async function checkLive() {
  try {
    const response = await fetch(`${API_BASE}/health`, { cache: "no-store" });
    await response.arrayBuffer(); // read to the end: a half-read answer is aborted on leaving
    return response.ok ? { ok: true } : { ok: false, detail: `HTTP ${response.status}` };
  } catch (err) {
    return { ok: false, detail: err.message };
  }
}

// Draws everything from the last answers: after each refresh and on a language switch.
function render() {
  const current = document.getElementById("current");
  if (failure !== null) {
    current.textContent = `${t("load.failed")}: ${failure.message}`;
    current.className = "state state-unknown";
    return;
  }
  if (data === null) {
    current.textContent = t("loading");
    return;
  }
  const { status, window, live } = data;
  renderCurrent(status);
  renderBars(status);
  renderIncidents(status);
  renderMetrics(window, status.timezone);
  document.getElementById("live").textContent =
    live.ok ? t("status.yes") : `${t("status.no")} (${live.detail})`;
  document.getElementById("footer-note").textContent =
    t("status.footer", { zone: `${status.timezone} (${zoneName(status.timezone)})` });
}

async function refresh() {
  const end = new Date();
  end.setUTCMinutes(0, 0, 0);
  end.setUTCHours(end.getUTCHours() + 1); // whole hours: the API reads hourly rollups
  const start = new Date(end.getTime() - 24 * 3600000);
  const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString(), step: "hour" });
  const [status, window, live] = await Promise.all([
    getJson("/api/v1/status"), getJson(`/api/v1/metrics?${query}`), checkLive(),
  ]);
  data = { status, window, live };
  failure = null;
  render();
  document.body.dataset.loaded = "true";
}

setupLanguage(render);
render();
refresh().catch((err) => {
  failure = err;
  render();
});
setInterval(() => refresh().catch(() => {}), 60000);

// The chart is drawn for its width: draw it again when the width changes.
let drawnWidth = document.getElementById("latency-chart").clientWidth;
addEventListener("resize", () => {
  const width = document.getElementById("latency-chart").clientWidth;
  if (data !== null && width !== drawnWidth) {
    drawnWidth = width;
    latencyChart(data.window, document.getElementById("endpoint").value, data.status.timezone);
  }
});
