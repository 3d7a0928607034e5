// The static site's search page: finds records in window.her2kgSearch (search-index.js, written by
// `her2kg site`) by label, synonym or identifier, ranked as the server's /api/search ranks them
// (web/entities.py `search`): exact, prefix, a word's prefix, substring; then label before synonym
// before identifier; then the shorter label. Text from the data goes in with textContent only.
"use strict";

(function () {
  const list = document.getElementById("hits");
  if (!list || !window.her2kgSearch) return;
  const query = (new URLSearchParams(window.location.search).get("q") || "").trim();
  const input = document.getElementById("q");
  if (input) input.value = query;
  const status = document.getElementById("search-status");
  if (!query) return;
  document.getElementById("search-title").textContent = "Search: " + query;
  const wanted = query.toLowerCase();
  const howRank = { label: 0, synonym: 1, identifier: 2 };
  const escaped = wanted.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const wordStart = new RegExp("(^|[\\s\\-_:/(])" + escaped);

  function rank(text) {
    text = text.toLowerCase();
    if (text === wanted) return 0;
    if (text.startsWith(wanted)) return 1;
    if (wordStart.test(text)) return 2;
    return 3;
  }

  function compare(a, b) {
    for (let i = 0; i < a.length; i++) {
      if (a[i] < b[i]) return -1;
      if (a[i] > b[i]) return 1;
    }
    return 0;
  }

  const hits = [];
  for (const record of window.her2kgSearch) {
    let best = null;
    for (const [text, how] of record.names) {
      if (!text.toLowerCase().includes(wanted)) continue;
      const key = [rank(text), howRank[how], record.label.length, record.label.toLowerCase(), record.iri];
      if (best === null || compare(key, best.key) < 0) best = { key, text, how };
    }
    if (best) hits.push({ record, ...best });
  }
  hits.sort((a, b) => compare(a.key, b.key));
  for (const hit of hits.slice(0, 25)) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = hit.record.href; // relative to the site's root, where this page is
    link.textContent = hit.record.label;
    const note = document.createElement("small");
    note.textContent = " " + hit.how + ": " + hit.text;
    item.append(link, note);
    list.append(item);
  }
  status.textContent = hits.length ? "" : "Nothing found: try a shorter part of a name.";
})();
