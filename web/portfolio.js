// The portfolio page: every profile from GET /api/v1/users (following next_cursor).
import { getJson, el } from "./api.js";

async function loadUsers() {
  const users = [];
  let cursor = null;
  do {
    const query = new URLSearchParams({ limit: "100" });
    if (cursor) query.set("cursor", cursor);
    const page = await getJson(`/api/v1/users?${query}`);
    users.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return users;
}

function card(user) {
  const links = user.links.map((href) =>
    el("li", {}, [el("a", { href, rel: "noopener" }, [new URL(href).host])]));
  return el("li", { class: "card", "data-user-id": user.id }, [
    el("h3", {}, [user.name]),
    user.title ? el("p", { class: "title" }, [user.title]) : null,
    user.bio ? el("p", { class: "bio" }, [user.bio]) : null,
    links.length ? el("ul", { class: "links", "aria-label": `${user.name}: links` }, links) : null,
  ]);
}

async function main() {
  const state = document.getElementById("people-state");
  try {
    const users = await loadUsers();
    document.getElementById("people").replaceChildren(...users.map(card));
    state.textContent = users.length
      ? `${users.length} 人 / ${users.length} people`
      : "登録されたプロフィールはありません / No profiles yet";
  } catch (err) {
    state.textContent = `読み込めませんでした / Could not load: ${err.message}`;
    state.classList.add("error");
  }
}

main();
