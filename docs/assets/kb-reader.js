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
   pages at once, from the list in offline.json, and its printed material for trainees if the reader
   ticks the box (the sizes of both are shown before saving). Only over http(s): the offline zip opens from file://. */
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
  var PRINTED = "kb-printed-v1";  // the PDFs a reader saved with a programme (sw.js serves them offline)
  var button = box.querySelector(".kb-offline__save");
  var status = box.querySelector(".kb-offline__status");
  var sizeLine = box.querySelector(".kb-offline__size");
  var printedLine = box.querySelector(".kb-offline__printed");
  var withPrinted = box.querySelector(".kb-offline__with-printed");
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in values ? values[key] : whole; });
  }
  function say(template, values) { status.textContent = fill(template, values); }
  /* Every size the box shows, in one place: megabytes with one decimal (1 MB = 1,000,000 bytes, as the
     downloads pages say, kb/web/pdfmeta.py); the words around the number are data/ui.yml's. */
  function megabytes(bytes) { return Math.max(0.1, bytes / 1e6).toFixed(1); }

  /* This programme's entry of offline.json: the pages and their size, the printed material apart. */
  var asked = null;
  function programme() {
    if (!asked) {
      asked = fetch(new URL("offline.json", base).href, { cache: "no-cache" })
        .then(function (response) { return response.json(); })
        .then(function (lists) {
          var mine = (lists[box.getAttribute("data-kb-offline-lang")] || {})[box.getAttribute("data-kb-offline-track")];
          return mine || { pages: [], pages_bytes: 0, printed: [], printed_bytes: 0 };
        });
      asked.catch(function () { asked = null; });  // asked again at the next press
    }
    return asked;
  }
  function showSizes() {
    programme().then(function (mine) {
      if (!mine.pages.length) return;
      sizeLine.textContent = fill(box.getAttribute("data-pages-size"),
        { size: fill(box.getAttribute("data-size"), { mb: megabytes(mine.pages_bytes) }) });
      sizeLine.hidden = false;
      if (mine.printed.length) {
        printedLine.querySelector("span").textContent = fill(box.getAttribute("data-printed"), { mb: megabytes(mine.printed_bytes) });
        printedLine.hidden = false;  // unticked: the PDFs are large and the reader is often on a phone line
      }
    }).catch(function () { /* offline now: the sizes are shown at the next visit */ });
  }
  // the sizes are read when the box comes near the screen: a first visit does not pay for offline.json
  if ("IntersectionObserver" in window) {
    var watcher = new IntersectionObserver(function (seen) {
      if (seen.some(function (entry) { return entry.isIntersecting; })) { watcher.disconnect(); showSizes(); }
    }, { rootMargin: "400px" });
    watcher.observe(box);
  } else {
    showSizes();
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    programme().then(function (mine) {
        function absolute(path) { return new URL(path, base).href; }
        var jobs = mine.pages.map(function (path) {
          var url = absolute(path);
          return { url: url, store: /\/$|\.html$/.test(new URL(url).pathname) ? PAGES : ASSETS };
        });
        if (withPrinted.checked && !printedLine.hidden) {
          jobs = jobs.concat(mine.printed.map(function (file) { return { url: absolute(file.path), store: PRINTED }; }));
        }
        var done = 0, failed = 0, total = jobs.length;
        say(box.getAttribute("data-saving"), { done: 0, total: total });
        return Promise.all([caches.open(PAGES), caches.open(ASSETS), caches.open(PRINTED)]).then(function (opened) {
          var stores = {};
          stores[PAGES] = opened[0]; stores[ASSETS] = opened[1]; stores[PRINTED] = opened[2];
          var queue = jobs.slice();
          function next() {  // four at a time: a phone on a slow network stays responsive
            var job = queue.shift();
            if (!job) return Promise.resolve();
            return stores[job.store].add(job.url).catch(function () { failed++; }).then(function () {
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
