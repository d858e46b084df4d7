/* Reader features that need a script: the search index of this language is loaded when the reader
   opens search (the search worker, assets/javascripts/workers/kb-search.js, listens on the
   "kb-search" channel). No inline script: the site's Content-Security-Policy allows 'self' only. */
(function () {
  "use strict";

  var asked = false;
  function loadSearchIndex() {
    if (asked || typeof BroadcastChannel === "undefined") return;
    asked = true;
    try {
      var channel = new BroadcastChannel("kb-search");
      channel.postMessage("load");
      channel.close();
    } catch (error) { /* the worker loads the index at the first query instead */ }
  }
  var toggle = document.getElementById("__search");
  if (toggle) toggle.addEventListener("change", function () { if (toggle.checked) loadSearchIndex(); });
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("md-search__input")) loadSearchIndex();
  });
})();

/* Offline reading: the service worker (sw.js at the site root) keeps the pages a reader visits;
   "Save this programme for offline reading" (partials/kb-offline.html) keeps all of a programme's
   pages at once, from the list in offline.json. Only over http(s): the offline zip opens from file://. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
  var config = document.getElementById("__config");
  var base;
  try { base = new URL((JSON.parse(config.textContent).base || ".") + "/", location.href); } catch (error) { return; }
  var PAGES = "kb-pages-v1", ASSETS = "kb-assets-v1";

  navigator.serviceWorker.register(new URL("sw.js", base).href).catch(function (error) { console.warn("kb: offline reading unavailable", error); });

  /* The first page was loaded before the worker existed: keep it too, from the browser's cache. */
  navigator.serviceWorker.ready.then(function () {
    if (!("caches" in window)) return;
    var assets = performance.getEntriesByType("resource").map(function (e) { return e.name.split("#")[0]; })
      .filter(function (url) { return url.indexOf(base.origin) === 0 && /\.(css|js|svg)(\?|$)/.test(url); });
    caches.open(PAGES).then(function (cache) { return cache.match(location.href).then(function (hit) { return hit || cache.add(location.href); }); })
      .catch(function () {});
    caches.open(ASSETS).then(function (cache) {
      return Promise.all(assets.map(function (url) { return cache.match(url).then(function (hit) { return hit || cache.add(url); }); }));
    }).catch(function () {});
  });

  var box = document.querySelector(".kb-offline");
  if (!box || !("caches" in window)) return;
  box.hidden = false;
  var button = box.querySelector(".kb-offline__save");
  var status = box.querySelector(".kb-offline__status");
  function say(template, values) {
    status.textContent = template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch(new URL("offline.json", base).href, { cache: "no-cache" }).then(function (response) { return response.json(); })
      .then(function (lists) {
        var urls = ((lists[box.getAttribute("data-kb-offline-lang")] || {})[box.getAttribute("data-kb-offline-track")] || [])
          .map(function (path) { return new URL(path, base).href; });
        var done = 0, failed = 0, total = urls.length;
        say(box.getAttribute("data-saving"), { done: 0, total: total });
        return Promise.all([caches.open(PAGES), caches.open(ASSETS)]).then(function (stores) {
          var queue = urls.slice();
          function next() {  // four at a time: a phone on a slow network stays responsive
            var url = queue.shift();
            if (!url) return Promise.resolve();
            var store = /\/$|\.html$/.test(new URL(url).pathname) ? stores[0] : stores[1];
            return store.add(url).catch(function () { failed++; }).then(function () {
              done++;
              say(box.getAttribute("data-saving"), { done: done, total: total });
              return next();
            });
          }
          return Promise.all([next(), next(), next(), next()]).then(function () {
            say(box.getAttribute(failed ? "data-failed" : "data-saved"), { total: total, failed: failed });
          });
        });
      })
      .catch(function () { say(box.getAttribute("data-failed"), { failed: "?", total: 0 }); })
      .then(function () { button.disabled = false; });
  });
})();

/* The language switch keeps the reader's place: a page and its translation carry the same section ids
   (the pair checks hold them equal), so the section anchor (#id) is carried over to the other language. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.md-select__link[data-kb-lang]") : null;
    if (!link || !window.location.hash || link.classList.contains("kb-alt-missing")) return;
    var url = new URL(link.getAttribute("href"), window.location.href);
    if (!url.hash) {
      url.hash = window.location.hash;
      link.setAttribute("href", url.href);
    }
  }, true);
})();

/* Wide tables scroll sideways on a phone inside Material's wrapper (.md-typeset__table); a reader on
   a keyboard must reach that scroll too, so each wrapper that scrolls takes the focus (tabindex=0),
   as the status page's tables do. Material wraps the tables when it mounts the page, so this runs on
   each page Material shows (its document$ stream; once on load where that is missing). */
(function () {
  "use strict";
  function focusable() {
    document.querySelectorAll(".md-typeset .md-typeset__table").forEach(function (wrap) {
      if (!wrap.hasAttribute("tabindex")) wrap.setAttribute("tabindex", "0");
    });
  }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { focusable(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusable);
  } else {
    focusable();
  }
})();
