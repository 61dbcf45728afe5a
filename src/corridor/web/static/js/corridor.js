// Small progressive enhancements; every page works without them. No inline scripts (CSP).
"use strict";
document.addEventListener("submit", function (event) {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
}, true);

document.addEventListener("click", function (event) {
  const el = event.target.closest(".copyable");
  if (el && navigator.clipboard) {
    navigator.clipboard.writeText(el.textContent.trim()).then(function () {
      el.classList.add("copied");
      setTimeout(function () { el.classList.remove("copied"); }, 1500);
    });
  }
});

// Real time: what arrives from partner nodes is announced at once (server-sent events).
// Lists marked with hx-trigger="corridor-record from:body" refresh themselves; the user's own
// notices (`notification` events, already filtered and worded by the node) show as toasts and
// refresh whatever listens to "corridor-notification" (the bell, the notifications page).
(function () {
  const source = document.body.dataset.events;
  if (!source || !window.EventSource) { return; }
  let area = null;
  function toast(text, href, urgent) {
    if (!area) {
      area = document.createElement("div");
      area.className = "toast-area";
      area.setAttribute("role", "status");
      area.setAttribute("aria-live", "polite");
      document.body.appendChild(area);
    }
    const el = document.createElement(href ? "a" : "div");
    el.className = urgent ? "toast toast--urgent" : "toast";
    el.textContent = text;
    if (href) { el.href = href; }
    area.appendChild(el);
    // Urgent notices stay longer: someone away from the screen for a moment still sees them.
    setTimeout(function () { el.remove(); }, urgent ? 30000 : 8000);
  }
  function safeLink(link) {
    // Only paths on this node: a notice never sends the browser elsewhere.
    return typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/" ? link : null;
  }
  const events = new EventSource(source);
  let opened = 0;
  events.addEventListener("open", function () {
    // After a reconnect (node restarted, network blip, slow tab), events may have been
    // missed: refresh what the page lists once.
    opened += 1;
    if (opened > 1 && window.htmx) {
      window.htmx.trigger(document.body, "corridor-record", {});
      window.htmx.trigger(document.body, "corridor-notification", {});
    }
  });
  events.addEventListener("record", function (e) {
    const data = JSON.parse(e.data);
    if (window.htmx) { window.htmx.trigger(document.body, "corridor-record", data); }
  });
  events.addEventListener("notification", function (e) {
    const data = JSON.parse(e.data);
    if (window.htmx) { window.htmx.trigger(document.body, "corridor-notification", data); }
    if (data.title) { toast(data.title, safeLink(data.link), Boolean(data.urgent)); }
  });
})();

// The header's language switch changes language as soon as one is chosen; without scripts its
// button does it. The profile's time zone starts at the browser's own zone when none is saved
// (saving stays the person's choice).
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    const button = select.form && select.form.querySelector("button[type=submit]");
    if (button) { button.remove(); }
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });
  const zone = document.querySelector("select[data-browser-zone][data-unset]");
  let browserZone = "";
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { browserZone = ""; }
  if (zone && browserZone && browserZone !== "UTC") {
    const option = Array.from(zone.options).find(function (o) { return o.value === browserZone; });
    if (option) { option.selected = true; }
  }
})();

// The maps' zoom buttons (Leaflet's own, created with the map) in the reader's language.
document.addEventListener("DOMContentLoaded", function () {
  const words = { in: document.body.dataset.zoomIn, out: document.body.dataset.zoomOut };
  ["in", "out"].forEach(function (way) {
    document.querySelectorAll(".leaflet-control-zoom-" + way).forEach(function (a) {
      if (words[way]) { a.title = words[way]; a.setAttribute("aria-label", words[way]); }
    });
  });
});

// A form that acts on what a page shows (a note, a reply, a post, a task) goes back to the page;
// when the node refuses it, the page says why (a flash with data-refused) and this puts back
// what was typed in that form, so nothing is lost. What is typed is kept in this tab's
// sessionStorage only from the submit to the next page, and dropped there whatever happened;
// passwords, hidden fields and files are never kept.
(function () {
  const KEY = "corridor-typed";
  function keep(form) {
    const fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      const type = (el.type || "").toLowerCase();
      if (["password", "hidden", "file", "submit", "button", "reset"].indexOf(type) >= 0) { return; }
      if (type === "checkbox" || type === "radio") {
        if (el.checked) { (fields[el.name] = fields[el.name] || []).push(el.value); }
        return;
      }
      if (el.tagName === "SELECT" && el.multiple) {
        fields[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
        return;
      }
      fields[el.name] = el.value;
    });
    return fields;
  }
  function actionOf(form) {
    return new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname;
  }
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post") { return; }
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({ action: actionOf(form), fields: keep(form) }));
    } catch (e) { /* storage full or refused: the form still posts */ }
  }, true);
  let kept = null;
  function restore() {
    if (!kept) { return; }
    const form = Array.prototype.find.call(document.forms, function (f) {
      return (f.method || "").toLowerCase() === "post" && actionOf(f) === kept.action;
    });
    if (!form) { return; }  // not yet: a part of the page loaded later (htmx) may hold it
    const fields = kept.fields;
    kept = null;
    let first = null;
    Object.keys(fields).forEach(function (name) {
      const value = fields[name];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name) { return; }
        const type = (el.type || "").toLowerCase();
        if (type === "checkbox" || type === "radio") {
          el.checked = Array.isArray(value) && value.indexOf(el.value) >= 0;
        } else if (el.tagName === "SELECT" && el.multiple && Array.isArray(value)) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = value.indexOf(o.value) >= 0; });
        } else if (typeof value === "string" && ["hidden", "file", "password"].indexOf(type) < 0) {
          el.value = value;
          if (!first && value) { first = el; }
        }
      });
    });
    const details = form.closest("details");
    if (details) { details.open = true; }
    if (first) { first.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    try {
      kept = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      window.sessionStorage.removeItem(KEY);
    } catch (e) { kept = null; }
    if (!document.querySelector("[data-refused]")) { kept = null; }
    restore();
  });
  document.body.addEventListener("htmx:afterSettle", restore);
})();
