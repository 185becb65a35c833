// The inspector's page. Everything a sender sent arrives here as JSON strings and is only ever put in textContent:
// no innerHTML, no attribute built from a delivery, no URL followed. The list is bounded to MAX_ROWS rows.
"use strict";
const MAX_ROWS = 500;
const token = new URLSearchParams(location.search).get("token") || "";
const api = (name, params = {}) => `api/${name}?` + new URLSearchParams({ token, ...params });
const rows = []; // newest first, at most MAX_ROWS summaries
const selected = new Set();
let schedule = [60, 300, 1800, 7200];
let current = null;

// Control characters (terminal escapes, bidi overrides' neighbours) shown as escapes, not passed to the text.
const visible = (text) => String(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
  (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = visible(text);
  if (cls) node.className = cls;
  return node;
}

function good(d) { return d.signature.startsWith("signature ok") || d.signature.startsWith("signature not") ? d.problem_count === 0 : false; }
function schemaText(d) { return d.problem_count === 0 ? "schema ok" : `schema: ${d.problem_count} problem${d.problem_count > 1 ? "s" : ""}`; }

function matches(d) {
  const type = document.getElementById("filter-type").value.trim();
  const id = document.getElementById("filter-id").value.trim();
  const verdict = document.getElementById("filter-verdict").value;
  if (type && !(d.type || "").includes(type)) return false;
  if (id && !(d.id || "").includes(id)) return false;
  if (verdict === "good" && !good(d)) return false;
  if (verdict === "bad" && good(d)) return false;
  return true;
}

function row(d) {
  const tr = el("tr");
  tr.dataset.number = String(d.number);
  if (!good(d)) tr.classList.add("bad");
  if (current === d.number) tr.classList.add("selected");
  const box = el("input");
  box.type = "checkbox";
  box.checked = selected.has(d.number);
  box.addEventListener("click", (e) => { e.stopPropagation(); box.checked ? selected.add(d.number) : selected.delete(d.number); });
  const pick = el("td"); pick.append(box); tr.append(pick);
  const time = d.received ? d.received.slice(11, 19) : "";
  for (const value of [d.number, time, `${d.method} ${d.path}`, d.type || (d.size > 65536 ? "(large body: open it)" : "(not an event)"), d.id || "", d.attempt]) tr.append(el("td", value));
  tr.append(el("td", d.signature, d.signature.startsWith("signature ok") ? "ok" : d.signature.startsWith("signature not") ? "" : "wrong"));
  tr.append(el("td", schemaText(d), d.problem_count === 0 ? "ok" : "wrong"));
  tr.append(el("td", `answered ${d.status}`, d.status === 200 ? "ok" : "wrong"));
  tr.addEventListener("click", () => show(d.number));
  return tr;
}

function render() {
  const body = document.querySelector("#deliveries tbody");
  body.replaceChildren(...rows.filter(matches).map(row));
}

function add(d) {
  rows.unshift(d);
  if (rows.length > MAX_ROWS) rows.length = MAX_ROWS;
}

function bounds(info) {
  const text = `${info.kept} kept (at most ${info.max_rows} deliveries, ${Math.round(info.max_bytes / 1048576)} MiB)` +
    (info.dropped ? `; ${info.dropped} oldest dropped` : "") + `; the page shows the latest ${MAX_ROWS}`;
  document.getElementById("bounds").textContent = text;
}

function retries(d) {
  // The attempts of the same event, with the interval before each against Horneross's schedule.
  const same = rows.filter((r) => r.id && r.id === d.id).slice().reverse();
  if (same.length < 2) return null;
  const list = el("ol");
  same.forEach((r, i) => {
    let text = `#${r.number} attempt ${r.attempt} at ${r.received || "?"}, answered ${r.status}`;
    if (i > 0 && r.received && same[i - 1].received) {
      const gap = (Date.parse(r.received) - Date.parse(same[i - 1].received)) / 1000;
      const due = schedule[Math.min(r.attempt, schedule.length + 1) - 2];
      text += `; ${gap.toFixed(0)} s after the previous` + (due ? ` (schedule: ${due} s)` : "");
    }
    list.append(el("li", text));
  });
  return list;
}

async function show(number) {
  current = number;
  const aside = document.getElementById("detail");
  const answer = await fetch(api("delivery", { number }));
  if (!answer.ok) { aside.replaceChildren(el("p", await answer.text(), "wrong")); return; }
  const d = await answer.json();
  const parts = [el("h2", `#${d.number} ${d.type || "(not an event)"} ${d.id || ""}`)];
  parts.push(el("p", `${d.method} ${d.path}, attempt ${d.attempt}, ${d.size} bytes, answered ${d.status}`));
  parts.push(el("h3", "signature"), el("p", d.signature, d.signature.startsWith("signature ok") ? "ok" : "wrong"));
  const check = d.signature_check;
  parts.push(el("p", check.explained));
  if (check.expected) parts.push(el("pre", `expected ${check.expected}\nreceived ${check.received ?? "(no " + check.header + " header)"}`));
  parts.push(el("h3", schemaText(d)));
  for (const problem of d.problems) parts.push(el("p", problem, "wrong"));
  const group = retries(d);
  if (group) parts.push(el("h3", "attempts of this event"), group);
  parts.push(el("h3", "headers"));
  parts.push(el("pre", d.headers.map(([k, v]) => `${k}: ${v}`).join("\n")));
  let pretty = null;
  try { pretty = JSON.stringify(JSON.parse(d.body), null, 2); } catch (e) { pretty = null; }
  if (pretty !== null) parts.push(el("h3", "body"), el("pre", pretty));
  parts.push(el("h3", "body as received" + (d.body_cut ? " (its start only)" : "")));
  parts.push(el("pre", JSON.stringify(d.body).slice(1, -1)));
  aside.replaceChildren(...parts);
  render();
}

async function replay(numbers) {
  const results = document.getElementById("replay-results");
  const to = document.getElementById("replay-to").value.trim();
  if (!numbers.length || !to) { results.textContent = "select deliveries and give a URL"; return; }
  results.textContent = `replaying ${numbers.length}...`;
  const answer = await fetch(api("replay"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ numbers, to, resign: document.getElementById("replay-resign").checked }),
  });
  if (!answer.ok) { results.textContent = await answer.text(); return; }
  const report = await answer.json();
  const list = el("ul");
  let passed = 0;
  for (const r of report.results) {
    passed += r.passed ? 1 : 0;
    list.append(el("li", `#${r.number}: captured answered ${r.captured}, now ${r.answer}`, r.passed ? "ok" : "wrong"));
  }
  results.replaceChildren(el("p", `replayed ${report.results.length} to ${report.to}: ${passed} answered 200`), list);
}

async function start() {
  for (const id of ["filter-type", "filter-id", "filter-verdict"]) document.getElementById(id).addEventListener("input", render);
  document.getElementById("replay-selected").addEventListener("click", () => replay([...selected]));
  document.getElementById("replay-shown").addEventListener("click", () => replay(rows.filter(matches).map((d) => d.number).reverse()));
  const answer = await fetch(api("deliveries"));
  const connection = document.getElementById("connection");
  if (!answer.ok) { connection.textContent = await answer.text(); connection.className = "lost"; return; }
  const listing = await answer.json();
  schedule = listing.schedule;
  bounds(listing);
  for (const d of listing.deliveries.reverse()) add(d);
  render();
  const latest = rows.length ? rows[0].number : 0;
  const stream = new EventSource(api("stream", { after: latest }));
  stream.onopen = () => { connection.textContent = "live"; connection.className = "live"; };
  stream.onerror = () => { connection.textContent = "reconnecting"; connection.className = "lost"; };
  let pending = false;
  let kept = listing.kept;
  stream.onmessage = (message) => {
    const d = JSON.parse(message.data);
    if (rows.length && d.number <= rows[0].number) return; // sent again after a reconnection
    add(d);
    kept += 1;
    if (!pending) { // one render per frame, however many deliveries arrive in it
      pending = true;
      requestAnimationFrame(() => { pending = false; render(); bounds({ ...listing, kept: Math.min(kept, listing.max_rows) }); });
    }
  };
}

start();
