// icalfeed: shows each event's time in the reader's own zone, and copies feed URLs.
// No framework, no inline script (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  function formatLocal(start, end) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your zone";
    var day = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short" });
    var clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", timeZoneName: "short" });
    var text = "Your time: " + day.format(start) + ", " + clock.format(start);
    if (end && !isNaN(end.getTime())) {
      var short = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
      text = "Your time: " + day.format(start) + ", " + short.format(start) + " – " + clock.format(end);
    }
    return { text: text, title: zone };
  }

  function showLocalTimes() {
    var nodes = document.querySelectorAll("time.local[datetime]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var start = new Date(node.getAttribute("datetime"));
      if (isNaN(start.getTime())) { continue; }
      var end = node.dataset.end ? new Date(node.dataset.end) : null;
      var shown = formatLocal(start, end);
      node.textContent = shown.text;
      node.title = shown.title;
    }
  }

  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = old; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
      return;
    }
    var input = button.parentNode.querySelector("input.feed-url");
    if (input) { input.select(); try { document.execCommand("copy"); done(); } catch (e) {} }
  }

  function wireCopyButtons() {
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        copyText(event.currentTarget.getAttribute("data-copy"), event.currentTarget);
      });
    }
  }

  function wireFilters() {
    // Changing a filter applies it at once; the Show button remains for browsers without JS.
    var selects = document.querySelectorAll("form.filters select, form.filters input[type=checkbox]");
    for (var i = 0; i < selects.length; i++) {
      selects[i].addEventListener("change", function (event) { event.currentTarget.form.submit(); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes();
    wireCopyButtons();
    wireFilters();
  });
})();
