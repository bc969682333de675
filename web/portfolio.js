// The portfolio page: every profile from GET /api/v1/users (following next_cursor).
import { getJson, el } from "./api.js";
import { setupLanguage, t, tn } from "./i18n.js";

let users = null; // null: not loaded yet
let failure = null;

async function loadUsers() {
  const found = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor) query.set("cursor", cursor);
    const page = await getJson(`/api/v1/users?${query}`);
    found.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return found;
}

function card(user) {
  const links = user.links.map((href) =>
    el("li", {}, [el("a", { href, rel: "noopener" }, [new URL(href).host])]));
  return el("li", { class: "card", "data-user-id": user.id }, [
    el("h3", {}, [user.name]),
    user.title ? el("p", { class: "title" }, [user.title]) : null,
    user.bio ? el("p", { class: "bio" }, [user.bio]) : null,
    links.length ? el("ul", { class: "links", "aria-label": t("portfolio.links", { name: user.name }) }, links) : null,
  ]);
}

// Drawn again when the visitor switches language; the profiles are not fetched again.
function render() {
  const state = document.getElementById("people-state");
  state.classList.toggle("error", failure !== null);
  if (failure !== null) {
    state.textContent = `${t("load.failed")}: ${failure.message}`;
  } else if (users === null) {
    state.textContent = t("loading");
  } else {
    document.getElementById("people").replaceChildren(...users.map(card));
    state.textContent = users.length ? tn("portfolio.count", users.length) : t("portfolio.none");
  }
}

async function main() {
  setupLanguage(render);
  render();
  try {
    users = await loadUsers();
  } catch (err) {
    failure = err;
  }
  render();
}

main();
