/* The offline page (offline.html, served by sw.js for a page that was not saved): lists the saved pages
   of each language from the service worker's page cache, each by its title, and shows the reader's
   language first (the address asked for: /en/… is English). No network, no inline script. */
(function () {
  "use strict";
  var PAGES = "kb-pages-v1";  // the page cache of sw.js
  var root = new URL(".", document.baseURI);
  var asked = new URL(window.location.href).pathname.slice(root.pathname.length);
  var readerLang = /^en\//.test(asked) ? "en" : "zh";
  var sections = document.querySelectorAll("[data-kb-lang]");
  sections.forEach(function (section) {
    if (section.getAttribute("data-kb-lang") === readerLang) section.parentNode.insertBefore(section, sections[0]);
  });
  function langOf(path) { return /^en\//.test(path) ? "en" : "zh"; }
  function title(response, fallback) {
    return response.text().then(function (html) {
      var m = /<title>([^<]*)<\/title>/i.exec(html);
      var box = document.createElement("textarea");
      box.innerHTML = m ? m[1] : fallback;  // entities decoded; shown as text below
      return box.value.replace(/\s+-\s+[^-]+$/, "") || fallback;  // without " - <site name>"
    }).catch(function () { return fallback; });
  }
  if (!("caches" in window)) return;
  caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (requests) {
      var pages = requests.map(function (r) { return new URL(r.url); })
        .filter(function (u) { return u.origin === root.origin && u.pathname.indexOf(root.pathname) === 0; })
        .map(function (u) { return u.pathname.slice(root.pathname.length); })
        .filter(function (p) { return p !== "offline.html"; });
      return Promise.all(pages.map(function (p) {
        return cache.match(root.href + p).then(function (r) { return r ? title(r, p || "/") : p; })
          .then(function (t) { return { path: p, title: t }; });
      }));
    });
  }).then(function (found) {
    document.querySelectorAll(".kb-offline-page__saved").forEach(function (list) {
      var lang = list.closest("[data-kb-lang]").getAttribute("data-kb-lang");
      var mine = found.filter(function (f) { return langOf(f.path) === lang; })
        .sort(function (a, b) { return a.path < b.path ? -1 : 1; });
      if (!mine.length) {
        var none = document.createElement("li");
        none.textContent = list.getAttribute("data-kb-none");
        list.appendChild(none);
      }
      mine.forEach(function (f) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root.href + f.path;
        link.textContent = f.title;
        item.appendChild(link);
        list.appendChild(item);
      });
    });
  });
})();
