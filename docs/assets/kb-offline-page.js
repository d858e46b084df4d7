/* The offline page (offline.html, served by sw.js for a page that was not saved): lists the saved pages
   of each language from the service worker's page cache, each by its title, and shows the reader's
   language first (the address asked for: /en/… is English), and the PDFs saved with a programme, each by
   the title offline.json gives it (kept when the programme was saved). No network, no inline script. */
(function () {
  "use strict";
  var PAGES = "kb-pages-v1";  // the page cache of sw.js
  var PRINTED = "kb-printed-v1";  // the PDFs saved with a programme (sw.js, assets/kb-reader.js)
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

  /* The saved PDFs: their language and title from offline.json, else from the file's name
     (…-en.pdf, handouts/en/…). */
  function printedFacts() {
    return caches.match(root.href + "offline.json").then(function (kept) { return kept ? kept.json() : {}; })
      .catch(function () { return {}; })
      .then(function (lists) {
        var facts = {};
        Object.keys(lists).forEach(function (lang) {
          Object.keys(lists[lang] || {}).forEach(function (track) {
            ((lists[lang][track] || {}).printed || []).forEach(function (file) { facts[file.path] = { lang: lang, title: file.title }; });
          });
        });
        return facts;
      });
  }
  Promise.all([caches.open(PRINTED).then(function (cache) { return cache.keys(); }), printedFacts()]).then(function (found) {
    var files = found[0].map(function (r) { return new URL(r.url); })
      .filter(function (u) { return u.origin === root.origin && u.pathname.indexOf(root.pathname) === 0; })
      .map(function (u) { return u.pathname.slice(root.pathname.length); }).sort();
    document.querySelectorAll(".kb-offline-page__printed").forEach(function (block) {
      var lang = block.closest("[data-kb-lang]").getAttribute("data-kb-lang");
      var list = block.querySelector("ul");
      files.forEach(function (path) {
        var fact = found[1][path] || { lang: /(-en\.pdf$|\/en\/)/.test(path) ? "en" : "zh", title: path.split("/").pop() };
        if (fact.lang !== lang) return;
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = root.href + path;
        link.textContent = fact.title;
        item.appendChild(link);
        list.appendChild(item);
      });
      block.hidden = !list.children.length;
    });
  });
})();
