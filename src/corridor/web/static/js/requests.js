// Requests for assistance: the deadline clock of each open request counts down in the
// reader's page (the server renders the deadline itself; this only adds "due in 3 h 20 min").
// Texts come translated from data-* attributes of the list; no inline script (CSP).
"use strict";
(function () {
  function texts(el) {
    const holder = el.closest("[data-tin]");
    const d = holder ? holder.dataset : {};
    return {
      due: d.tin || "due in {t}",
      late: d.tlate || "overdue by {t}",
      days: d.td || "{n} d",
      hours: d.th || "{n} h",
      minutes: d.tm || "{n} min",
    };
  }
  function span(ms, t) {
    const minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
    const days = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const mins = minutes % 60;
    const parts = [];
    if (days) { parts.push(t.days.replace("{n}", days)); }
    if (hours) { parts.push(t.hours.replace("{n}", hours)); }
    if (!days && mins) { parts.push(t.minutes.replace("{n}", mins)); }
    return parts.join(" ");
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      const due = Date.parse(el.dataset.deadline);
      if (isNaN(due)) { return; }
      if (!el.dataset.absolute) { el.dataset.absolute = el.textContent; el.title = el.textContent; }
      const t = texts(el);
      const left = due - now;
      el.textContent = (left >= 0 ? t.due : t.late).replace("{t}", span(left, t));
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 3600000);
      const row = el.closest("tr");
      if (row && left < 0) { row.classList.add("overdue"); }
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 30000);
})();
