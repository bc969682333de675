// One language per page: the browser's preferred one (ja or en), unless the visitor chose
// the other with the switch in the header, which is remembered. Static text carries
// data-i18n="key" (and data-i18n-attr="attribute:key") and is filled in from STRINGS;
// scripts ask t(key). The HTML ships in Japanese, so the page reads in one language
// even before this runs.

export const STRINGS = {
  ja: {
    "lang.name": "日本語",
    "skip": "本文へ移動",
    "nav.label": "サイト",
    "nav.portfolio": "ポートフォリオ",
    "nav.status": "稼働状況",
    "switch.label": "言語を切り替える",
    "nodata": "データなし",
    "loading": "読み込み中…",
    "load.failed": "読み込めませんでした",
    "portfolio.title": "ポートフォリオ",
    "portfolio.lead": "AWS ポートフォリオ基盤 — ECS Fargate、ALB、DynamoDB、S3 / CloudFront。",
    "portfolio.people": "メンバー",
    "portfolio.count": "{n} 人",
    "portfolio.none": "登録されたプロフィールはありません",
    "portfolio.links": "{name} のリンク",
    "portfolio.footer": "プロフィールは /api/v1/users から。",
    "status.title": "稼働状況",
    "status.now": "現在の状態",
    "status.last-probe": "最終プローブ",
    "status.live": "API応答",
    "status.uptime": "稼働率",
    "status.daily": "{n}日間の日別稼働率",
    "status.key.nodata": "データなし",
    "status.bars.label": "{n}日間の日別稼働率。失敗したプローブのある日: {down}日",
    "status.bars.failed": "{uptime} %（{failed}/{probes} 件失敗）",
    "status.dates-zone": "日付は {zone} の暦日",
    "status.failures": "失敗のあった日（{n}）",
    "status.col.date": "日付",
    "status.col.uptime": "稼働率",
    "status.col.failed": "失敗",
    "status.latency": "応答時間（直近24時間）",
    "status.endpoint": "エンドポイント",
    "status.requests": "リクエスト",
    "status.error-rate": "5xx率",
    "status.p95": "p95（全体）",
    "status.chart.label": "{endpoint}: 直近{hours}時間の1時間ごとの p50 / p95 応答時間（ms）",
    "status.chart.y": "応答時間 (ms)",
    "status.chart.x": "時刻 ({zone})",
    "status.chart.point": "{time} {key}: {value}（{count} 件）",
    "status.incidents": "最近のインシデント",
    "status.no-incidents": "この期間のインシデントはありません",
    "status.ongoing": "継続中",
    "status.minutes": "{n} 分",
    "status.kind.outage": "停止",
    "status.kind.recorded": "記録",
    "status.state.up": "稼働中",
    "status.state.down": "停止中",
    "status.state.unknown": "不明",
    "status.yes": "はい",
    "status.no": "いいえ",
    "status.footer": "/api/v1/status、/api/v1/metrics、/health から毎分更新。時刻は {zone} で表示。",
  },
  en: {
    "lang.name": "English",
    "skip": "Skip to content",
    "nav.label": "Site",
    "nav.portfolio": "Portfolio",
    "nav.status": "Status",
    "switch.label": "Change language",
    "nodata": "no data",
    "loading": "Loading…",
    "load.failed": "Could not load",
    "portfolio.title": "Portfolio",
    "portfolio.lead": "AWS Portfolio Infrastructure — ECS Fargate, ALB, DynamoDB, S3 / CloudFront.",
    "portfolio.people": "People",
    "portfolio.count": "{n} people",
    "portfolio.count.one": "{n} person",
    "portfolio.none": "No profiles yet",
    "portfolio.links": "{name}: links",
    "portfolio.footer": "Profiles from /api/v1/users.",
    "status.title": "Status",
    "status.now": "Current health",
    "status.last-probe": "Last probe",
    "status.live": "API answering",
    "status.uptime": "Uptime",
    "status.daily": "Daily uptime, last {n} days",
    "status.key.nodata": "no data",
    "status.bars.label": "Daily uptime over {n} days; days with failed probes: {down}",
    "status.bars.failed": "{uptime} % ({failed}/{probes} failed)",
    "status.dates-zone": "Dates are calendar days in {zone}",
    "status.failures": "Days with failures ({n})",
    "status.col.date": "Date",
    "status.col.uptime": "Uptime",
    "status.col.failed": "Failed",
    "status.latency": "Response time (last 24 h)",
    "status.endpoint": "Endpoint",
    "status.requests": "Requests",
    "status.error-rate": "5xx rate",
    "status.p95": "p95 (all)",
    "status.chart.label": "{endpoint}: hourly p50 and p95 response time (ms) over the last {hours} hours",
    "status.chart.y": "Response time (ms)",
    "status.chart.x": "Time ({zone})",
    "status.chart.point": "{time} {key}: {value} ({count} req)",
    "status.incidents": "Recent incidents",
    "status.no-incidents": "No incidents in this period",
    "status.ongoing": "ongoing",
    "status.minutes": "{n} min",
    "status.kind.outage": "Outage",
    "status.kind.recorded": "Recorded",
    "status.state.up": "Operational",
    "status.state.down": "Outage",
    "status.state.unknown": "Unknown",
    "status.yes": "yes",
    "status.no": "no",
    "status.footer": "From /api/v1/status, /api/v1/metrics and /health; refreshed every minute. Times in {zone}.",
  },
};

export const LANGS = Object.keys(STRINGS);
const LOCALES = { ja: "ja-JP", en: "en-US" };
const STORAGE_KEY = "portfolio.lang";

let current = chooseLanguage();

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage can be off (private mode, file://): the browser's choice stands
  }
}

function chooseLanguage() {
  const saved = remembered();
  if (LANGS.includes(saved)) return saved;
  for (const tag of navigator.languages?.length ? navigator.languages : [navigator.language]) {
    const base = String(tag).slice(0, 2).toLowerCase();
    if (LANGS.includes(base)) return base;
  }
  return "en";
}

export const lang = () => current;
export const locale = () => LOCALES[current];

// tn("portfolio.count", 1): the plural form of the page's language ("1 person", "2 people"),
// as Intl.PluralRules names it ("key.one"), else the key itself.
export function tn(key, n) {
  const form = new Intl.PluralRules(LOCALES[current]).select(n);
  const chosen = STRINGS[current][`${key}.${form}`] !== undefined ? `${key}.${form}` : key;
  return t(chosen, { n });
}

// t("status.daily", {n: 90}): the text in the page's language, {names} filled in.
export function t(key, values = {}) {
  const text = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? `{${name}}`));
}

function applyStatic() {
  document.documentElement.lang = current;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-attr]")) {
    const [attribute, key] = node.dataset.i18nAttr.split(":");
    node.setAttribute(attribute, t(key));
  }
  const title = document.querySelector("title[data-i18n-title]");
  if (title) document.title = `${t(title.dataset.i18nTitle)} — Portfolio`;
  const other = LANGS.find((l) => l !== current);
  const button = document.getElementById("lang-switch");
  if (button) {
    button.textContent = STRINGS[other]["lang.name"];
    button.lang = other;
    button.dataset.lang = other;
    button.setAttribute("aria-label", `${STRINGS[other]["switch.label"]}: ${STRINGS[other]["lang.name"]}`);
  }
}

// Fill the static text now; on a switch, refill it and let the page redraw its own.
export function setupLanguage(onChange = () => {}) {
  applyStatic();
  const button = document.getElementById("lang-switch");
  if (!button) return;
  button.addEventListener("click", () => {
    current = button.dataset.lang;
    try {
      localStorage.setItem(STORAGE_KEY, current);
    } catch {
      // not remembered, but this page still switches
    }
    applyStatic();
    onChange();
  });
}
