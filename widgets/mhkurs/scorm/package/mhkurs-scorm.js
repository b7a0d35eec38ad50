/* mhkurs SCORM 1.2 launch page: finds the LMS's SCORM API (window.API in the parent/opener chain, as the
   SCORM 1.2 Run-Time Environment describes), frames the hosted course and carries the learner's record
   between the two with postMessage: the course page asks for cmi.suspend_data ("hello") and sends the
   compact record, the lesson status and the post-test score after every change ("save"). Messages are
   taken only from the course frame's window and the course's origin, and sent only to that origin. */
(function () {
  "use strict";
  var frame = document.getElementById("mh-course");
  var note = document.getElementById("mh-lms-note");
  var courseUrl = frame.getAttribute("data-course-url");
  var courseOrigin = new URL(courseUrl).origin;
  var STATUSES = { incomplete: 1, completed: 1, passed: 1, failed: 1 };
  var started = Date.now();
  var api = null, finished = false, suspend = "";

  function say(text) { note.textContent = text; note.hidden = false; }

  /* SCORM 1.2 RTE, API discovery: climb window.parent (at most 500 levels), then the opener's chain. */
  function climb(win) {
    var tries = 0;
    try {
      while (win && !win.API && win.parent && win.parent !== win && tries < 500) { tries += 1; win = win.parent; }
      return win && win.API ? win.API : null;
    } catch (e) { return null; }  /* a window of another origin on the way: no API there */
  }
  function findAPI() {
    var found = climb(window);
    if (!found && window.opener) { try { found = climb(window.opener); } catch (e) { found = null; } }
    return found;
  }

  function get(name) { var v = api.LMSGetValue(name); return v === null || v === undefined ? "" : String(v); }
  function set(name, value) {
    if (String(api.LMSSetValue(name, String(value))) !== "true") {
      console.warn("mhkurs: the LMS refused " + name + " (error " + api.LMSGetLastError() + ")");
    }
  }

  function sessionTime() {  /* CMITimespan: HHHH:MM:SS.SS */
    var s = Math.floor(Math.max(0, Date.now() - started) / 10) / 100;
    var h = String(Math.floor(s / 3600)), m = Math.floor((s % 3600) / 60), sec = (s % 60).toFixed(2);
    while (h.length < 4) h = "0" + h;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (sec.length < 5 ? "0" : "") + sec;
  }

  function save(m) {
    if (!api || finished) return;
    if (typeof m.suspend_data === "string" && m.suspend_data.length <= 4096) {
      suspend = m.suspend_data;
      set("cmi.suspend_data", suspend);
    }
    if (STATUSES[m.lesson_status]) set("cmi.core.lesson_status", m.lesson_status);
    if (typeof m.score === "number" && m.score >= 0 && m.score <= 100) {
      set("cmi.core.score.min", 0);
      set("cmi.core.score.max", 100);
      set("cmi.core.score.raw", Math.round(m.score));
    }
    api.LMSCommit("");
  }

  function finish() {
    if (!api || finished) return;
    finished = true;
    set("cmi.core.session_time", sessionTime());
    set("cmi.core.exit", "suspend");  /* the LMS keeps suspend_data for the next launch */
    api.LMSCommit("");
    api.LMSFinish("");
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== courseOrigin || ev.source !== frame.contentWindow) return;
    var m = ev.data;
    if (!m || typeof m !== "object") return;
    if (m.mhkurs === "hello") {
      ev.source.postMessage({ mhkurs: "record", suspend_data: api ? suspend : "" }, courseOrigin);
    } else if (m.mhkurs === "save") {
      save(m);
    }
  });
  window.addEventListener("pagehide", finish);
  window.addEventListener("beforeunload", finish);

  api = findAPI();
  if (api && String(api.LMSInitialize("")) === "true") {
    suspend = get("cmi.suspend_data");
    var status = get("cmi.core.lesson_status");
    if (status === "" || status === "not attempted") set("cmi.core.lesson_status", "incomplete");
  } else {
    /* No LMS around (the package opened on its own): the course itself, where it keeps the record in the
       browser as when it is used without an LMS. */
    api = null;
    say("Fant ikke læringsplattformen (SCORM). Kurset åpnes uten den, og fremdriften lagres i nettleseren.");
    window.location.replace(courseUrl);
    return;
  }
  /* the address tells the course page to keep the record here (it asks this origin, and only this one) */
  frame.src = courseUrl + "#mhkurs-lms=" + encodeURIComponent(window.location.origin);
})();
