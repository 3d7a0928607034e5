// The page at /: canned-query forms whose answers fill a sortable table, and the YASGUI editor.
// Everything taken from data is put in the page with textContent (never innerHTML).
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("her2kg-config").textContent);
  const endpoint = new URL(config.sparql, window.location.href).href;
  // Longest namespace first, so hk: (…/ontology#) wins over a shorter one.
  const namespaces = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);
  document.getElementById("endpoint").textContent = endpoint;
  const LOCAL = /^[A-Za-z0-9_.-]+$/;
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;

  // An IRI as the command line shows it: our records as KIND/SLUG, known namespaces as CURIEs.
  function show(iri) {
    if (iri.startsWith(config.base) && (iri.startsWith(config.base + "vocab/")
        || config.kindNamespaces.some((ns) => iri.startsWith(ns)))) {
      return iri.slice(config.base.length);
    }
    for (const [prefix, ns] of namespaces) {
      const local = iri.slice(ns.length);
      if (iri.startsWith(ns) && local && LOCAL.test(local)) return prefix + ":" + local;
    }
    return iri;
  }

  // Our own IRIs are pages on this server (/drug/neratinib, /ontology/Drug); others stay as they are.
  function localPage(iri) {
    if (!iri.startsWith(config.base)) return iri;
    const local = iri.slice(config.base.length);
    return local.startsWith("ontology#") ? "/ontology/" + local.slice("ontology#".length) : "/" + local;
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const a = document.createElement("a");
      a.href = localPage(term.value);
      a.textContent = show(term.value);
      a.title = term.value;
      td.appendChild(a);
      td.dataset.sort = a.textContent;
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      td.dataset.sort = td.textContent;
      if (term.datatype && NUMERIC.test(term.datatype)) {
        td.className = "number";
        td.dataset.number = term.value;
      }
    }
    return td;
  }

  // --- the canned queries -------------------------------------------------------------------------

  const picker = document.getElementById("query-picker");
  const status = document.getElementById("status");
  const table = document.getElementById("result-table");
  const downloads = document.getElementById("result-downloads");

  function showForm(name) {
    for (const form of document.querySelectorAll("form.canned")) form.hidden = form.dataset.query !== name;
  }
  picker.addEventListener("change", () => showForm(picker.value));
  showForm(picker.value);

  function apiUrl(form, format) {
    const params = new URLSearchParams();
    for (const input of form.querySelectorAll("input[name]")) {
      if (input.name !== "format" && input.value.trim() !== "") params.append(input.name, input.value.trim());
    }
    params.append("format", format);
    return config.api + encodeURIComponent(form.dataset.query) + "?" + params.toString();
  }

  function setDownloads(form) {
    downloads.replaceChildren(document.createTextNode("Download: "));
    for (const format of ["csv", "tsv", "json"]) {
      const a = document.createElement("a");
      a.href = apiUrl(form, format);
      a.download = form.dataset.query + "." + format;
      a.textContent = format.toUpperCase();
      downloads.append(a, " ");
    }
    downloads.hidden = false;
  }

  async function errorText(response) {
    const text = await response.text();
    try {
      const body = JSON.parse(text);
      return body.error || body.message || body.detail || text;
    } catch (_) {
      return text || response.statusText;
    }
  }

  function fillTable(answer, truncated) {
    const variables = answer.head.vars;
    const bindings = answer.results.bindings;
    const head = document.createElement("tr");
    variables.forEach((name, index) => {
      const th = document.createElement("th");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = name;
      button.addEventListener("click", () => sortBy(index, th));
      th.appendChild(button);
      head.appendChild(th);
    });
    table.tHead.replaceChildren(head);
    table.tBodies[0].replaceChildren(...bindings.map((binding) => {
      const tr = document.createElement("tr");
      for (const name of variables) tr.appendChild(cell(binding[name]));
      return tr;
    }));
    table.hidden = false;
    const rows = bindings.length + (bindings.length === 1 ? " row" : " rows");
    status.textContent = truncated ? rows + " — truncated: the row cap left more rows out" : rows;
    status.className = truncated ? "status warning" : "status";
  }

  function sortBy(index, th) {
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const key = (tr) => tr.cells[index];
    const rows = Array.from(table.tBodies[0].rows);
    rows.sort((a, b) => {
      const x = key(a), y = key(b);
      const order = x.dataset.number !== undefined && y.dataset.number !== undefined
        ? Number(x.dataset.number) - Number(y.dataset.number)
        : (x.dataset.sort || "").localeCompare(y.dataset.sort || "", undefined, {numeric: true});
      return ascending ? order : -order;
    });
    table.tBodies[0].replaceChildren(...rows);
  }

  for (const form of document.querySelectorAll("form.canned")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      status.textContent = "Running " + form.dataset.query + "…";
      status.className = "status";
      table.hidden = true;
      downloads.hidden = true;
      try {
        const response = await fetch(apiUrl(form, "json"), {headers: {Accept: "application/sparql-results+json"}});
        if (!response.ok) {
          status.textContent = await errorText(response);
          status.className = "status error";
          return;
        }
        const truncated = response.headers.get("X-Her2kg-Truncated") === "true";
        fillTable(await response.json(), truncated);
        setDownloads(form);
      } catch (err) {
        status.textContent = "The server did not answer: " + err;
        status.className = "status error";
      }
    });
  }

  // --- the editor ---------------------------------------------------------------------------------

  if (typeof Yasgui === "undefined") return;
  const prefixLines = Object.entries(config.prefixes).map(([p, ns]) => p + ": <" + ns + ">").sort();
  // Prefix completion from the project's prefixes only: the stock completers ask prefix.cc and
  // Linked Open Vocabularies, which this page must never contact.
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "her2kgPrefixes", persistenceId: null, get: () => Promise.resolve(prefixLines),
  }, false);
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {endpoint: endpoint, method: "POST"},
    endpointCatalogueOptions: {getData: () => []},
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    yasqe: {value: config.firstQuery, autocompleters: ["her2kgPrefixes", "variables"], persistenceId: null,
            collapsePrefixesOnLoad: true, editorHeight: "320px"},
    yasr: {prefixes: config.prefixes, persistenceId: null, defaultPlugin: "table"},
  });
  window.her2kgYasgui = yasgui; // for the browser tests

  const examples = document.getElementById("examples");
  for (const example of config.examples) {
    const option = document.createElement("option");
    option.value = example.text;
    option.textContent = example.title;
    examples.appendChild(option);
  }
  examples.addEventListener("change", () => {
    if (examples.value) yasgui.getTab().setQuery(examples.value);
  });
})();
