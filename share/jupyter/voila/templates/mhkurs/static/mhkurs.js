/* mhkurs page behaviour, loaded by index.html.j2 in <head> (deferred: it runs once the page is parsed; a static
   file, not inline: the pages run under a Content-Security-Policy with script-src 'self'; what the template's inline
   scripts did is here):
   - marks <html> with mh-js (the loading notice shows only with JavaScript) and defines Voila's page hooks;
   - the widget front end (static/mhkurs-widgets.js) starts after the browser has painted the page (mhStartFrontEnd);
   - a quiet notice while the connection to the kernel is being made again, a clear Norwegian message when it is
     lost for good (nothing silently dead; the front end tells which: window.mhConnection);
   - one polite live region that announces feedback (.mh-verdict, [data-mh-announce]);
   - focus moves to the new content after a change ([data-mh-focus]) and never drops to the page body;
   - ARIA that ipywidgets leaves out: radio groups with a group label, toggle buttons with aria-pressed. */
(function () {
  "use strict";
  var state = { leaving: false, lost: false, reconnecting: false, acted: false, lastBox: null };

  /* ---------- what the template's inline scripts did ---------- */
  document.documentElement.classList.add("mh-js");
  window.voila_heartbeat = function () {};
  window.update_loading_text = function (cellIndex, cellCount) {
    var el = document.getElementById("loading_text");
    if (el) el.textContent = "Øvelsene på siden lastes … (" + cellIndex + " av " + cellCount + ")";
  };
  /* called by the widget front end once every widget is drawn (after window.themeLoaded is set) */
  window.display_cells = function () {
    if (!window.themeLoaded) { window.cellLoaded = true; return; }
    var el = document.getElementById("loading");
    if (el) el.parentNode.removeChild(el);
    el = document.getElementById("rendered_cells");
    if (el) el.style.display = "";
  };
  window.voila_process = window.update_loading_text;
  window.voila_finish = window.display_cells;
  function whenParsed() {
    window.voila_finish();
    /* the widgets' stylesheet, fetched with media="print" so it does not block the first paint */
    var css = document.getElementById("mh-widgets-css");
    if (css && css.media === "print") {
      if (css.sheet) css.media = "all"; else css.addEventListener("load", function () { css.media = "all"; });
    }
    var sources = document.getElementById("mh-front-end");
    if (sources) window.mhStartFrontEnd(JSON.parse(sources.textContent));
  }

  /* ---------- the connection to the course ---------- */
  /* The widget front end (frontend/src/main.js, watchConnection) follows the kernel connection's own status
     (@jupyterlab/services) and calls these: a quiet notice while a lost network is waited out (what the trainee
     does meanwhile is sent once the connection is back), one clear message when the page's kernel is gone. */
  var REASONS = {
    long: "Kurset har ikke svart på lenge (nettet kan være borte), så knappene på siden virker ikke lenger.",
    gone: "Kurstjeneren har avsluttet øvelsene på denne siden (tjeneren kan ha startet på nytt, eller siden har stått lenge ubrukt), så knappene på siden virker ikke lenger.",
    restarted: "Kurstjeneren startet øvelsene på siden på nytt, så knappene på siden virker ikke lenger.",
    failed: "Teksten på siden kan du lese som før."
  };
  function banner() { return document.getElementById("mh-conn"); }
  function quiet(show) {
    var q = document.getElementById("mh-reconnecting");
    if (q) q.hidden = !show;
  }
  function showLost(reason) {
    if (state.leaving) return;
    state.lost = true;
    quiet(false);
    var b = banner();
    if (!b) return;
    var why = document.getElementById("mh-conn-why");
    if (why && reason) why.textContent = REASONS[reason] || reason;
    var title = document.getElementById("mh-conn-title");
    if (title && reason === "failed") title.textContent = "⚠ Øvelsene på siden kunne ikke lastes.";
    if (b.hidden) {
      b.hidden = false;
      document.body.classList.add("mh-offline");
    }
  }
  window.mhShowLostConnection = showLost;
  window.mhConnection = {
    reconnecting: function () {
      if (state.lost || state.leaving || state.reconnecting) return;
      state.reconnecting = true;
      quiet(true);
      announce("Forbindelsen er borte et øyeblikk. Du kan fortsette.");
    },
    restored: function () {
      if (!state.reconnecting) return;
      state.reconnecting = false;
      quiet(false);
      announce("Forbindelsen er tilbake.");
    },
    lost: showLost,
    failed: function () { showLost("failed"); }
  };

  window.addEventListener("pagehide", function () { state.leaving = true; });
  /* a page shown again from the back/forward cache is not being left */
  window.addEventListener("pageshow", function () { state.leaving = false; });

  /* A click on an exercise while the connection is gone is not silently ignored. */
  document.addEventListener("click", function (ev) {
    if (!state.lost) return;
    var t = ev.target;
    if (t && t.closest && t.closest(".jupyter-widgets") && !t.closest("#mh-conn")) {
      ev.preventDefault();
      ev.stopPropagation();
      var b = banner();
      if (b) { b.hidden = false; var h = b.querySelector("[tabindex]"); if (h) h.focus(); }
    }
  }, true);

  /* ---------- the widget front end starts after the first paint ---------- */
  /* The page's text is in the HTML. The widget front end (the course's own, static/mhkurs-widgets.js, an ES module
     with its parts; Voila's was about 5 MB of JavaScript) is only needed by the exercises, so it is fetched and run
     once the browser has shown the page (below), or at once in a tab nobody sees (no frame is drawn there; the
     kernel must not wait). Classic scripts added with async = false run in the order given. */
  var frontEnd = { sources: null, started: false, loadedAt: undefined };
  var nativeAddEventListener = window.addEventListener;
  function injectFrontEnd() {
    if (frontEnd.started) return;
    frontEnd.started = true;
    document.documentElement.setAttribute("data-mh-front-end", "started");
    frontEnd.sources.forEach(function (src) {
      var s = document.createElement("script");
      if (typeof src === "object") { s.type = src.type; src = src.src; }  /* {"src": …, "type": "module"} */
      s.src = src;
      s.async = false;
      document.body.appendChild(s);
    });
  }
  /* When does the browser show the page? The "load" event says the whole page is parsed; its text is on screen
     once a frame after that has been presented, which the browser reports, late, in paint entries. Start when
     the first contentful paint has been reported and either the largest paint is at or after "load", or half a
     second has passed since "load" (the largest text was shown before it, so no later entry comes). A busy
     machine may paint seconds after "load": nothing starts before that, but never later than 5 s after it. */
  var shown = { contentful: false, lcpAfterLoad: false, waited: false };
  function afterFrame(fn) { window.requestAnimationFrame(function () { window.setTimeout(fn, 0); }); }
  function startWhenShown() {
    if (frontEnd.loadedAt === undefined || frontEnd.started || !shown.contentful) return;
    /* two more frames: text painted in the frames right after the reported one is on screen too */
    if (shown.lcpAfterLoad || shown.waited) afterFrame(function () { afterFrame(injectFrontEnd); });
  }
  try {
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) { if (e.name === "first-contentful-paint") shown.contentful = true; });
      startWhenShown();
    }).observe({ type: "paint", buffered: true });
    new PerformanceObserver(function (list) {
      list.getEntries().forEach(function (e) {
        shown.contentful = true;
        if (frontEnd.loadedAt !== undefined && e.startTime >= frontEnd.loadedAt) shown.lcpAfterLoad = true;
        shown.lastLcp = Math.max(shown.lastLcp || 0, e.startTime);
      });
      startWhenShown();
    }).observe({ type: "largest-contentful-paint", buffered: true });
  } catch (e) { shown.contentful = true; /* no paint entries in this browser: the timer below starts it */ }
  window.mhStartFrontEnd = function (sources) {
    if (frontEnd.sources) return;
    frontEnd.sources = sources;
    if (document.visibilityState === "hidden" || !window.requestAnimationFrame) { injectFrontEnd(); return; }
    function whenLoaded() {
      frontEnd.loadedAt = window.performance.now();
      if (shown.lastLcp !== undefined && shown.lastLcp >= frontEnd.loadedAt) shown.lcpAfterLoad = true;
      window.setTimeout(function () { shown.waited = true; startWhenShown(); }, 500);
      window.setTimeout(injectFrontEnd, 5000);
      startWhenShown();
    }
    if (document.readyState === "complete") whenLoaded(); else nativeAddEventListener.call(window, "load", whenLoaded);
    /* a tab hidden before then draws no frame: start there at once */
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") injectFrontEnd(); });
  };

  /* ---------- live region, focus, ARIA fixes ---------- */
  var seq = 0;
  function uid(prefix) { seq += 1; return prefix + "-" + seq; }
  function announce(text) {
    var live = document.getElementById("mh-live");
    if (!live || !text) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 60);
  }
  window.mhAnnounce = announce;

  function norm(text) { return (text || "").toLowerCase().replace(/[?:.!¶\s]+/g, " ").trim(); }  /* ¶: the heading anchor */
  /* An exercise card titled like the section it sits in would repeat the heading: hide the card's own. */
  function dedupeHeadings(root) {
    root.querySelectorAll(".mh-exercise > .widget-html:first-child h3").forEach(function (h3) {
      if (h3.hasAttribute("data-mh-checked")) return;
      h3.setAttribute("data-mh-checked", "");
      var cell = h3.closest("[cell-index]");
      var prev = cell && cell.previousElementSibling;
      while (prev && !prev.querySelector("h2")) prev = prev.previousElementSibling;
      if (!prev) return;
      var h2s = prev.querySelectorAll("h2");
      if (norm(h2s[h2s.length - 1].textContent) === norm(h3.textContent)) h3.hidden = true;
    });
  }

  function fixAria(root) {
    if (!root.querySelectorAll) return;
    [dedupeHeadings, fixRadios, fixCheckGroups, fixToggles].forEach(function (fix) {
      try { fix(root); } catch (e) { if (window.console) console.warn("mhkurs: " + e); }
    });
  }
  function fixRadios(root) {
    root.querySelectorAll(".widget-radio-box").forEach(function (box) {
      if (box.getAttribute("role") === "radiogroup") return;
      box.setAttribute("role", "radiogroup");
      var ids = [];
      var widget = box.closest(".widget-radio");
      var prev = widget && widget.previousElementSibling;
      if (prev && prev.classList.contains("widget-html")) { if (!prev.id) prev.id = uid("mh-q"); ids.push(prev.id); }
      var lab = widget && widget.querySelector(":scope > .widget-label");
      if (lab && lab.textContent.trim()) { if (!lab.id) lab.id = uid("mh-l"); ids.push(lab.id); }
      if (ids.length) box.setAttribute("aria-labelledby", ids.join(" "));
    });
  }
  function fixCheckGroups(root) {
    root.querySelectorAll(".widget-vbox").forEach(function (vb) {
      var kids = vb.children;
      if (!kids.length || vb.getAttribute("role")) return;
      for (var i = 0; i < kids.length; i++) if (!kids[i].classList.contains("widget-checkbox")) return;
      vb.setAttribute("role", "group");
      var prev = vb.previousElementSibling;
      if (prev && prev.classList.contains("widget-html")) {
        if (!prev.id) prev.id = uid("mh-q");
        vb.setAttribute("aria-labelledby", prev.id);
      }
    });
  }
  function fixToggles(root) {
    root.querySelectorAll(".widget-toggle-buttons").forEach(function (tb) {
      var lab = tb.querySelector(":scope > .widget-label");
      var group = tb.querySelector(".widget-toggle-buttons > div, .widget-toggle-buttons .widget-inline-hbox") || tb;
      if (lab && lab.textContent.trim()) {
        if (!lab.id) lab.id = uid("mh-t");
        tb.setAttribute("role", "group");
        tb.setAttribute("aria-labelledby", lab.id);
      }
      tb.querySelectorAll("button").forEach(function (b) {
        b.setAttribute("aria-pressed", b.classList.contains("mod-active") ? "true" : "false");
      });
    });
  }

  function newlyAdded(mutations) {
    var out = [];
    mutations.forEach(function (m) {
      m.addedNodes.forEach(function (n) { if (n.nodeType === 1) out.push(n); });
    });
    return out;
  }
  function within(nodes, selector) {
    var found = [];
    nodes.forEach(function (n) {
      if (n.matches && n.matches(selector)) found.push(n);
      if (n.querySelectorAll) n.querySelectorAll(selector).forEach(function (x) { found.push(x); });
    });
    return found;
  }

  var pending = null, ariaPending = null, toSpeak = [], toFocus = [], changed = { whole: false, roots: [] };
  function onMutations(mutations) {
    var added = newlyAdded(mutations);
    mutations.forEach(function (m) {
      if (m.type === "attributes" && m.target.classList && m.target.classList.contains("widget-toggle-button")) {
        m.target.setAttribute("aria-pressed", m.target.classList.contains("mod-active") ? "true" : "false");
      }
    });
    /* One pass after a burst of changes (widgets add their children in several steps), over the slots that
       changed only: while Voila draws a page's widgets, a pass over the whole page after every burst cost
       more main-thread time than some of the widgets themselves (Lighthouse, module 5). */
    added.forEach(function (n) {
      var root = n.closest && n.closest(".mh-slot, [cell-index]");
      if (!root) changed.whole = true; else if (changed.roots.indexOf(root) < 0) changed.roots.push(root);
    });
    if (added.length && !ariaPending) {
      ariaPending = window.setTimeout(function () {
        ariaPending = null;
        var roots = changed.whole ? [document.body] : changed.roots;
        changed.whole = false; changed.roots = [];
        roots.forEach(function (root) { if (document.contains(root)) fixAria(root); });
        swapCourseMap();
        syncModuleMenu();
      }, 40);
    }
    if (!state.acted || !added.length) return;
    /* Collect over the mutation batches of one update, then act once. */
    within(added, ".mh-verdict, [data-mh-announce]").forEach(function (el) {
      if (!el.closest(".mh-history") && toSpeak.indexOf(el) < 0) toSpeak.push(el);
    });
    within(added, "[data-mh-focus]").forEach(function (el) { toFocus.push(el); });
    if (pending) window.clearTimeout(pending);
    pending = window.setTimeout(settle, 120);
  }
  function settle() {
    pending = null;
    var focusTo = toFocus.filter(function (el) { return document.contains(el); });
    var speak = toSpeak.filter(function (el) { return document.contains(el); });
    toFocus = []; toSpeak = [];
    if (focusTo.length) {
      var target = focusTo[focusTo.length - 1];
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();  /* scrolls only as far as needed: the feedback just above stays in view */
    } else if (document.activeElement === document.body && state.lastBox && document.contains(state.lastBox)) {
      var h = state.lastBox.querySelector("[data-mh-focus], h3:not([hidden]), h2, h4");
      if (h) { if (!h.hasAttribute("tabindex")) h.setAttribute("tabindex", "-1"); h.focus(); }
    }
    if (speak.length) {
      announce(speak.map(function (el) {
        return el.getAttribute("data-mh-announce") || el.textContent.trim();
      }).filter(Boolean).join(" "));
    }
  }

  function markActed(ev) {
    state.acted = true;
    var box = ev.target && ev.target.closest && ev.target.closest(".mh-exercise");
    if (box) state.lastBox = box;
  }
  document.addEventListener("click", markActed, true);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") markActed(ev); }, true);

  /* Voila moves its cells into a Lumino shell appended to <body>: keep them inside <main>, before the footer. */
  function adoptShell() {
    var shell = document.getElementById("main");
    var main = document.getElementById("mh-main");
    if (shell && main && shell.parentElement !== main) main.appendChild(shell);
  }

  /* The landing page is sent with a plain map of the course (links, no progress), readable before any script
     and without JavaScript. Once the learner's record is read, the same map with their progress takes its place;
     both change in the same frame, so nothing on screen moves. */
  function swapCourseMap() {
    var map = document.querySelector(".mh-course-map");
    if (!map || map.hidden) return;
    if (document.querySelector(".mh-landing .mh-landing-progress")) {
      map.hidden = true;
      var cell = map.closest(".jp-Cell");
      if (cell) cell.hidden = true;
    }
  }

  /* A module page is sent with its menu (links, no states), readable without JavaScript. A hidden widget
     (.mh-menu-live) holds the same menu with each module's state from the learner's record, kept current by
     the kernel: copy it into the visible menu, keeping the menu open or closed as the learner left it. */
  function syncModuleMenu() {
    var live = document.querySelector(".mh-menu-live .mh-frame-nav");
    if (!live) return;
    var nav = [].slice.call(document.querySelectorAll(".mh-frame-nav")).filter(function (n) {
      return !n.closest(".mh-menu-live");
    })[0];
    if (!nav || nav.getAttribute("data-mh-synced") === live.innerHTML) return;
    var before = nav.querySelector("details");
    var open = before && before.open;
    nav.innerHTML = live.innerHTML;
    nav.setAttribute("data-mh-synced", live.innerHTML);
    var after = nav.querySelector("details");
    if (after) after.open = !!open;
  }

  function start() {
    fixAria(document.body);
    window.addEventListener("load", function () { fixAria(document.body); });
    adoptShell();
    new MutationObserver(function (m) { adoptShell(); onMutations(m); }).observe(document.body, {
      childList: true, subtree: true, attributes: true, attributeFilter: ["class"]
    });
    var reload = document.getElementById("mh-conn-reload");
    if (reload) reload.addEventListener("click", function () { window.location.reload(); });
  }
  function parsed() { whenParsed(); start(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", parsed); else parsed();
})();
