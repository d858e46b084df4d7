/* The status page's filters (overrides/kb-status.html): programme, severity, organisation awaited and rule. Plain ES2017,
   no libraries, no network, no inline script (the site's CSP, kb/web/csp.py, allows only the site's own
   files). Each filterable item carries data-kb-track, data-kb-severity and/or data-kb-rule, each a
   space-separated list; an item is shown when, for every filter that is set, it either does not carry
   that attribute or lists the chosen value. The interface text comes from the page (data/ui.yml via
   the template's data-kb-shown / data-kb-none). Without JavaScript the form stays hidden and every
   row is shown. The choice is kept in the address (?track=…&severity=…&rule=…) so it can be shared. */
(function () {
  "use strict";

  function listed(element, name) {
    var value = element.getAttribute("data-kb-" + name);
    return value === null ? null : value.split(/\s+/).filter(Boolean);
  }

  function start() {
    var form = document.getElementById("kb-filter");
    if (!form) return;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-kb-filter]"));
    var names = selects.map(function (select) { return select.getAttribute("data-kb-filter"); });
    var selector = names.map(function (name) { return "[data-kb-" + name + "]"; }).join(",");
    var items = Array.prototype.slice.call(document.querySelectorAll(selector)).filter(function (el) { return !form.contains(el); });
    var count = form.querySelector(".kb-filter__count");
    var shownText = form.getAttribute("data-kb-shown") || "{shown} / {total}";
    var noneText = form.getAttribute("data-kb-none") || "";

    function apply(remember) {
      var wanted = {};
      selects.forEach(function (select) { wanted[select.getAttribute("data-kb-filter")] = select.value; });
      var shown = 0;
      items.forEach(function (item) {
        var keep = names.every(function (name) {
          if (!wanted[name]) return true;
          var values = listed(item, name);
          return values === null || values.indexOf(wanted[name]) !== -1;
        });
        item.hidden = !keep;
        if (keep) shown += 1;
      });
      // a list whose every item is filtered out says so (the note after it), instead of an empty table
      Array.prototype.forEach.call(document.querySelectorAll("[data-kb-group]"), function (group) {
        var note = group.nextElementSibling;
        if (!note || !note.classList.contains("kb-filter-empty")) return;
        var own = items.filter(function (item) { return group.contains(item); });
        note.hidden = !(own.length && own.every(function (item) { return item.hidden; }));
      });
      var text = shownText.replace(/\{shown\}/g, String(shown)).replace(/\{total\}/g, String(items.length));
      count.textContent = shown === 0 && noneText ? noneText + " " + text : text;
      if (remember && window.history && window.history.replaceState) {
        var params = new URLSearchParams(window.location.search);
        names.forEach(function (name) { if (wanted[name]) params.set(name, wanted[name]); else params.delete(name); });
        var query = params.toString();
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      }
    }

    var given = new URLSearchParams(window.location.search);
    selects.forEach(function (select) {
      var value = given.get(select.getAttribute("data-kb-filter"));
      if (value && Array.prototype.some.call(select.options, function (o) { return o.value === value; })) select.value = value;
    });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("reset", function () { window.setTimeout(function () { apply(true); }, 0); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply(false);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
