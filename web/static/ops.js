// Live refresh for the operations console. Every page works without it: the figures are
// rendered on the server and a reload shows fresh ones. With it, the element marked
// data-live-src is fetched again as an HTML fragment every data-live-interval seconds and its
// content replaced. Refreshing stops while the tab is hidden and while the operator has pressed
// the pause button (WCAG 2.2.2). Range links (data-range) are ordinary links: the server puts
// the chosen range into data-live-src, so nothing here needs to know about them.
(function () {
  "use strict";

  const region = document.querySelector("[data-live-src]");
  if (!region || !window.fetch) {
    return;
  }

  // Shorter intervals would load the server for no benefit to a person reading the page.
  const MIN_SECONDS = 5;
  const DEFAULT_SECONDS = 30;
  const TIMEOUT_MS = 20000;

  const intervalHost = document.querySelector("[data-live-interval]");
  const seconds = Number(intervalHost ? intervalHost.getAttribute("data-live-interval") : "");
  const period = 1000 * (seconds > 0 ? Math.max(seconds, MIN_SECONDS) : DEFAULT_SECONDS);
  const toggle = document.querySelector("[data-live-toggle]");
  const status = document.querySelector("[data-live-status]");

  let pausedByUser = false;
  let timer = 0;
  let inFlight = null;
  let lastAttempt = Date.now();

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function clock(date) {
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function showStatus(ok) {
    if (!status) {
      return;
    }
    if (ok) {
      status.textContent = (status.getAttribute("data-label-updated") || "") + " " + clock(new Date());
    } else {
      status.textContent = status.getAttribute("data-label-failed") || "";
    }
    status.setAttribute("data-live-state", ok ? "ok" : "failed");
  }

  // Replacing the content would drop a selection the operator is making, e.g. to copy an ID.
  function selecting() {
    const selection = window.getSelection ? window.getSelection() : null;
    return Boolean(selection && !selection.isCollapsed && region.contains(selection.anchorNode));
  }

  // How to find the focused element again in the new content: by id, else by what it points
  // to and says, and its position among elements alike.
  function focusKey(element) {
    if (element.id) {
      return { id: element.id };
    }
    const key = {
      tag: element.tagName,
      href: element.getAttribute("href"),
      name: element.getAttribute("name"),
      text: element.textContent.trim()
    };
    key.index = alike(key).indexOf(element);
    return key;
  }

  function alike(key) {
    return Array.prototype.filter.call(region.getElementsByTagName(key.tag), function (el) {
      return el.getAttribute("href") === key.href &&
        el.getAttribute("name") === key.name &&
        el.textContent.trim() === key.text;
    });
  }

  function findByKey(key) {
    if (key.id) {
      const byId = document.getElementById(key.id);
      return byId && region.contains(byId) ? byId : null;
    }
    const matches = alike(key);
    return matches[key.index] || matches[0] || null;
  }

  function openDetails() {
    return Array.prototype.map.call(region.querySelectorAll("details"), function (d) {
      return { id: d.id, open: d.open };
    });
  }

  // Disclosures the operator opened (such as the table beside a chart) stay open.
  function reopen(before) {
    const now = region.querySelectorAll("details");
    before.forEach(function (was, i) {
      if (!was.open) {
        return;
      }
      const same = was.id ? document.getElementById(was.id) : now[i];
      if (same && region.contains(same) && same.tagName === "DETAILS") {
        same.open = true;
      }
    });
  }

  function replace(html) {
    const active = document.activeElement;
    const key = active && active !== region && region.contains(active) ? focusKey(active) : null;
    const details = openDetails();
    region.innerHTML = html;
    reopen(details);
    if (!key) {
      return;
    }
    const again = findByKey(key);
    if (again) {
      again.focus({ preventScroll: true });
    } else {
      if (!region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "-1");
      }
      region.focus({ preventScroll: true });
    }
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = 0;
    if (pausedByUser || document.hidden) {
      return;
    }
    timer = window.setTimeout(refresh, Math.max(0, lastAttempt + period - Date.now()));
  }

  async function refresh() {
    timer = 0;
    if (inFlight || pausedByUser || document.hidden) {
      return;
    }
    lastAttempt = Date.now();
    if (selecting()) {
      schedule();
      return;
    }
    const controller = new AbortController();
    const timeout = window.setTimeout(function () { controller.abort(); }, Math.min(period, TIMEOUT_MS));
    inFlight = controller;
    region.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(region.getAttribute("data-live-src"), {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        cache: "no-store",
        signal: controller.signal
      });
      const type = response.headers.get("Content-Type") || "";
      // A redirect means the session ended: the answer is the sign-in page, not the fragment.
      if (!response.ok || response.redirected || type.indexOf("text/html") !== 0) {
        throw new Error("refused");
      }
      const html = await response.text();
      if (!pausedByUser) {
        replace(html);
        showStatus(true);
      }
    } catch (error) {
      if (!pausedByUser) {
        showStatus(false);
      }
    } finally {
      window.clearTimeout(timeout);
      region.removeAttribute("aria-busy");
      inFlight = null;
      schedule();
    }
  }

  function setPaused(paused) {
    pausedByUser = paused;
    if (toggle) {
      const label = toggle.getAttribute(paused ? "data-label-resume" : "data-label-pause");
      if (label) {
        toggle.textContent = label;
      }
      if (toggle.hasAttribute("aria-pressed")) {
        toggle.setAttribute("aria-pressed", paused ? "true" : "false");
      }
    }
    if (paused && inFlight) {
      inFlight.abort();
    }
    schedule();
  }

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setPaused(!pausedByUser);
    });
  }
  if (status) {
    status.hidden = false;
  }
  document.addEventListener("visibilitychange", schedule);
  setPaused(false);
})();
