// job-progress.js: polls /admin/jobs/{id} as JSON and reloads the page when the job ends.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = "/admin/jobs/" + encodeURIComponent(box.getAttribute("data-job-id"));
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        if (!j) return setTimeout(poll, 5000);
        var p = j.progress || {};
        var bar = document.getElementById("job-progress");
        var text = document.getElementById("job-progress-text");
        if (bar && p.total) { bar.max = p.total; bar.value = p.done || 0; }
        if (text && p.total) text.textContent = (p.done || 0) + " / " + p.total;
        var note = document.getElementById("job-note");
        if (note && typeof p.note === "string") note.textContent = p.note;
        if (j.state === "done" || j.state === "failed" ||
            (!bar && p.total)) {
          window.location.reload();
          return;
        }
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
