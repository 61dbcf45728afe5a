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

// Real time: what arrives from partner nodes is announced at once (server-sent events),
// and lists marked with hx-trigger="corridor-record from:body" refresh themselves.
(function () {
  const source = document.body.dataset.events;
  if (!source || !window.EventSource) { return; }
  const titles = { message: "New message", receipt: null };
  let area = null;
  function toast(text, href) {
    if (!area) {
      area = document.createElement("div");
      area.className = "toast-area";
      area.setAttribute("role", "status");
      area.setAttribute("aria-live", "polite");
      document.body.appendChild(area);
    }
    const el = document.createElement(href ? "a" : "div");
    el.className = "toast";
    el.textContent = text;
    if (href) { el.href = href; }
    area.appendChild(el);
    setTimeout(function () { el.remove(); }, 8000);
  }
  const events = new EventSource(source);
  let opened = 0;
  events.addEventListener("open", function () {
    // After a reconnect (node restarted, network blip, slow tab), events may have been
    // missed: refresh what the page lists once.
    opened += 1;
    if (opened > 1 && window.htmx) { window.htmx.trigger(document.body, "corridor-record", {}); }
  });
  events.addEventListener("record", function (e) {
    const data = JSON.parse(e.data);
    if (window.htmx) { window.htmx.trigger(document.body, "corridor-record", data); }
    const title = titles[data.type];
    if (title && data.state === "active") {
      toast(document.body.dataset["t" + data.type] || title, "/messages/" + data.id);
    }
  });
})();
