// The status page: current health, daily uptime bars, a latency chart and recent incidents.
// Every number shown is one the API returned; a missing one is shown as "no data".
import { API_BASE } from "./config.js";
import { getJson, el, svg } from "./api.js";

const NO_DATA = "データなし / no data";
const STATE_TEXT = {
  up: "稼働中 / Operational",
  down: "停止中 / Outage",
  unknown: "不明 / Unknown",
};

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString("ja-JP", { hour12: false }) : "—");
const pct = (value, digits = 3) => (value === null ? NO_DATA : `${value.toFixed(digits)} %`);
const ms = (value) => (value === null ? NO_DATA : `${value.toFixed(1)} ms`);

function uptimeClass(value) {
  if (value === null) return "none";
  if (value >= 99.9) return "ok";
  if (value >= 99) return "warn";
  return "bad";
}

function renderCurrent(status) {
  const node = document.getElementById("current");
  node.textContent = STATE_TEXT[status.current.state];
  node.className = `state state-${status.current.state}`;
  node.dataset.state = status.current.state;
  document.getElementById("checked-at").textContent = fmtTime(status.current.checked_at);
  const total = document.getElementById("uptime-total");
  total.textContent = pct(status.uptime_percent);
  total.dataset.value = status.uptime_percent ?? "";
}

function renderBars(status) {
  const days = status.days;
  document.getElementById("uptime-days").textContent = String(days.length);
  const width = 900;
  const gap = 2;
  const bar = (width - gap * (days.length - 1)) / days.length;
  const down = days.filter((d) => d.failed > 0).length;
  const label = `${days.length}日間の日別稼働率。失敗したプローブのある日: ${down}日 / ` +
    `Daily uptime over ${days.length} days; days with failed probes: ${down}`;
  const chart = svg("svg", { viewBox: `0 0 ${width} 48`, role: "img", "aria-label": label,
    class: "bars" }, [svg("title", {}, [label])]);
  days.forEach((day, i) => {
    const text = `${day.date}: ${day.uptime_percent === null ? NO_DATA
      : `${day.uptime_percent} % (${day.failed}/${day.probes} failed)`}`;
    chart.append(svg("rect", {
      x: (i * (bar + gap)).toFixed(2), y: 0, width: bar.toFixed(2), height: 48, rx: 1.5,
      class: `day ${uptimeClass(day.uptime_percent)}`,
      "data-date": day.date, "data-uptime": day.uptime_percent ?? "",
    }, [svg("title", {}, [text])]));
  });
  const bad = days.filter((d) => d.failed > 0);
  const table = el("table", {}, [
    el("thead", {}, [el("tr", {}, ["日付 / Date", "稼働率 / Uptime", "失敗 / Failed"]
      .map((h) => el("th", { scope: "col" }, [h])))]),
    el("tbody", {}, bad.map((d) => el("tr", {}, [
      el("th", { scope: "row" }, [d.date]), el("td", {}, [pct(d.uptime_percent)]),
      el("td", {}, [`${d.failed} / ${d.probes}`])]))),
  ]);
  const details = el("details", {}, [
    el("summary", {}, [`失敗のあった日 / Days with failures (${bad.length})`]), table]);
  document.getElementById("uptime-bars").replaceChildren(chart, details);
}

function renderIncidents(status) {
  const list = document.getElementById("incidents");
  if (!status.incidents.length) {
    list.replaceChildren(el("li", { class: "none" }, ["この期間のインシデントはありません / No incidents"]));
    return;
  }
  list.replaceChildren(...status.incidents.map((i) => el("li", {
    class: `incident ${i.kind}`, "data-incident-id": i.id,
  }, [
    el("strong", {}, [i.kind === "outage" ? "停止 / Outage" : "記録 / Recorded"]),
    ` ${fmtTime(i.start)} – ${i.end ? fmtTime(i.end) : "継続中 / ongoing"}`,
    i.minutes === null ? "" : ` (${i.minutes} min)`,
    el("span", { class: "summary" }, [` — ${i.summary}`]),
  ])));
}

// Axis step of 1, 2, 2.5 or 5 × 10^k giving about four grid lines.
function niceStep(top) {
  const raw = top / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw);
}

// One line chart of p50 and p95 per hour for the chosen endpoint's series.
function latencyChart(window, endpoint) {
  const series = window.series.find((s) => s.endpoint === endpoint);
  const holder = document.getElementById("latency-chart");
  if (!series || !series.points.length) {
    holder.replaceChildren(el("p", { class: "nodata", role: "note" }, [NO_DATA]));
    return;
  }
  const start = Date.parse(window.start);
  const hours = Math.round((Date.parse(window.end) - start) / 3600000);
  const [W, H, L, R, T, B] = [900, 240, 56, 12, 12, 34];
  const top = Math.max(1, ...series.points.flatMap((p) => [p.latency_ms.p95 ?? 0, p.latency_ms.p50 ?? 0]));
  const step = niceStep(top);
  const high = Math.ceil(top / step) * step;
  const x = (iso) => L + ((Date.parse(iso) - start) / 3600000 + 0.5) * (W - L - R) / hours;
  const y = (v) => H - B - (H - B - T) * v / high;
  const label = `${endpoint}: 直近${hours}時間の1時間ごとの p50 / p95 応答時間 / hourly p50 and p95 response time over the last ${hours} hours`;
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label, class: "latency" },
    [svg("title", {}, [label])]);
  for (let v = 0; v <= high + 1e-9; v += step) {
    chart.append(svg("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid" }));
    chart.append(svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, [`${v}`]));
  }
  for (let h = 0; h <= hours; h += 6) {
    const at = new Date(start + h * 3600000);
    chart.append(svg("text", { x: L + h * (W - L - R) / hours, y: H - B + 18, "text-anchor": "middle", class: "tick" },
      [`${String(at.getHours()).padStart(2, "0")}:00`]));
  }
  for (const [key, cls] of [["p50", "p50"], ["p95", "p95"]]) {
    const pts = series.points.filter((p) => p.latency_ms[key] !== null);
    chart.append(svg("polyline", { class: `line ${cls}`, fill: "none",
      points: pts.map((p) => `${x(p.start).toFixed(1)},${y(p.latency_ms[key]).toFixed(1)}`).join(" ") }));
    for (const p of pts) {
      chart.append(svg("circle", { cx: x(p.start).toFixed(1), cy: y(p.latency_ms[key]).toFixed(1), r: 3,
        class: `pt ${cls}`, "data-start": p.start, "data-value": p.latency_ms[key] },
      [svg("title", {}, [`${fmtTime(p.start)} ${key}: ${ms(p.latency_ms[key])} (${p.count} req)`])]));
    }
  }
  chart.append(svg("text", { x: W - R - 120, y: T + 12, class: "key p50" }, ["― p50"]));
  chart.append(svg("text", { x: W - R - 60, y: T + 12, class: "key p95" }, ["― p95"]));
  holder.replaceChildren(chart);
}

function renderMetrics(window) {
  const select = document.getElementById("endpoint");
  const endpoints = Object.entries(window.summary.by_endpoint).sort((a, b) => b[1] - a[1]);
  const chosen = select.value || (endpoints[0] ? endpoints[0][0] : "");
  select.replaceChildren(...endpoints.map(([name, count]) =>
    el("option", { value: name }, [`${name} (${count})`])));
  if (chosen) select.value = chosen;
  select.onchange = () => latencyChart(window, select.value);
  document.getElementById("requests").textContent = String(window.summary.count);
  document.getElementById("error-rate").textContent =
    window.summary.error_rate === null ? NO_DATA : `${(100 * window.summary.error_rate).toFixed(3)} %`;
  document.getElementById("p95-all").textContent = ms(window.summary.latency_ms.p95);
  latencyChart(window, select.value);
}

async function renderLive() {
  const node = document.getElementById("live");
  try {
    const response = await fetch(`${API_BASE}/health`, { cache: "no-store" });
    node.textContent = response.ok ? "はい / yes" : `いいえ / no (HTTP ${response.status})`;
  } catch (err) {
    node.textContent = `いいえ / no (${err.message})`;
  }
}

async function refresh() {
  const end = new Date();
  end.setUTCMinutes(0, 0, 0);
  end.setUTCHours(end.getUTCHours() + 1); // whole hours: the API reads hourly rollups
  const start = new Date(end.getTime() - 24 * 3600000);
  const query = new URLSearchParams({ start: start.toISOString(), end: end.toISOString(), step: "hour" });
  const [status, window] = await Promise.all([
    getJson("/api/v1/status"), getJson(`/api/v1/metrics?${query}`), renderLive(),
  ]);
  renderCurrent(status);
  renderBars(status);
  renderIncidents(status);
  renderMetrics(window);
  document.body.dataset.loaded = "true";
}

refresh().catch((err) => {
  const node = document.getElementById("current");
  node.textContent = `読み込めませんでした / Could not load: ${err.message}`;
  node.className = "state state-unknown";
});
setInterval(() => refresh().catch(() => {}), 60000);
