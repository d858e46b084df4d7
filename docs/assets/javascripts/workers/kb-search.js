/* Search per language, around Material's own search worker (Material lets a site provide its own
   worker through the page configuration: overrides/main.html points it here).

   - Each language has its own index (search/<lang>.json, written by kb/search.py after the build);
     search/search_index.json, which Material's page script fetches on every page, is only a stub.
     The index is loaded when the reader opens search (the page script kb-search.js says so on the
     "kb-search" BroadcastChannel) or at the first query, never on a page load.
   - English: the index is stemmed (lunr's Porter stemmer) and so is every word of the query, which
     Material sends with a trailing wildcard and therefore without its pipeline ("training" -> "train*",
     "emissions" -> "emiss*"); English stop words are dropped from queries of several words.
   - Ranking: pages that contain every word of the query come first (Material ranks by score only).

   URL: kb-search.js?<lang>,<Material worker file name>. From file:// (the offline copy) Material runs
   workers in an iframe (iframe-worker): there, the index is loaded as a script (search/<lang>.js). */
(function () {
  "use strict";
  var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;

  var scriptURL = typeof document !== "undefined" && document.currentScript ? document.currentScript.src : self.location.href;
  var args = (scriptURL.split("?")[1] || "").split(",");
  var lang = /^[a-z]{2,3}(-[A-Za-z]+)?$/.test(args[0] || "") ? args[0] : "en";
  var materialName = /^search\.[0-9a-f]+\.min\.js$/.test(args[1] || "") ? args[1] : null;
  var root = new URL("../../../", scriptURL);  // the site root: this file is assets/javascripts/workers/
  var offline = root.protocol === "file:";

  var realPost = self.postMessage;
  function send(message) { realPost.call(self, message); }

  /* Material's worker, loaded on demand: its message listener is captured rather than installed, and
     its replies come back through the postMessage below. */
  var material = null;
  var readyWaiter = null;
  function loadMaterial() {
    if (material || !materialName) return material;
    var add = self.addEventListener;
    self.addEventListener = function (type, fn, options) {
      if (type === "message" && !material) { material = fn; return undefined; }
      return add.call(self, type, fn, options);
    };
    self.postMessage = function (message) {
      if (message && message.type === READY && readyWaiter) { var done = readyWaiter; readyWaiter = null; done(); return; }
      if (message && message.type === RESULT) message = rerank(message);
      send(message);
    };
    return Promise.resolve(importScripts(new URL("assets/javascripts/workers/" + materialName, root).href))
      .then(function () { self.addEventListener = add; if (!material) throw new Error("kb-search: Material's worker did not start"); });
  }

  /* The index of this language, loaded once. */
  var options = { suggest: false };
  var loading = null;
  function fetchIndex() {
    if (offline) {
      return Promise.resolve(importScripts(new URL("search/" + lang + ".js", root).href)).then(function () { return self.__kbSearchIndex; });
    }
    return fetch(new URL("search/" + lang + ".json", root).href).then(function (response) {
      if (!response.ok) throw new Error("kb-search: " + response.status + " for the " + lang + " index");
      return response.json();
    });
  }
  function load() {
    if (!loading) {
      loading = Promise.all([fetchIndex(), loadMaterial()]).then(function (results) {
        var index = results[0];
        return new Promise(function (resolve) {
          readyWaiter = resolve;
          material({ data: { type: SETUP, data: { config: index.config, docs: index.docs, options: options } } });
        });
      });
      loading.catch(function (error) { loading = null; console.warn(error); });
    }
    return loading;
  }

  /* Chinese next to Latin letters or digits is split; English: the query's words stemmed like the index; stop words dropped when other words remain. */
  var PLAIN = /^[A-Za-z][A-Za-z']*$/;
  var typed = {};  // stem -> the word as typed: results name and highlight what the reader typed
  var HAN_THEN_LATIN = /(\p{sc=Han})(?=[A-Za-z0-9])|([A-Za-z0-9])(?=\p{sc=Han})/gu;
  function prepare(query) {
    query = query.replace(HAN_THEN_LATIN, "$1$2 ");  // 附件B -> 附件 B: the index has them apart
    if (lang !== "en" || !self.lunr) return query;
    var words = [];
    query.trim().split(/\s+/).forEach(function (word) {
      if (/^[A-Za-z]+(-[A-Za-z]+)+$/.test(word)) words.push.apply(words, word.split("-"));
      else if (word) words.push(word);
    });
    var out = [];
    typed = {};
    words.forEach(function (word) {
      if (!PLAIN.test(word)) { out.push({ word: word, stop: false }); return; }
      var token = new self.lunr.Token(word.toLowerCase().replace(/'s$/, ""), {});
      var stop = !self.lunr.stopWordFilter(token);
      var stem = self.lunr.stemmer(token).toString();
      typed[stem] = word.toLowerCase();
      out.push({ word: stem, stop: stop });
    });
    var kept = out.filter(function (w) { return !w.stop; });
    return (kept.length ? kept : out).map(function (w) { return w.word; }).join(" ");
  }

  /* Pages (groups of sections) that have every word of the query come first, then pages with more of
     the words; Material's order otherwise. A word is on a page when the terms matched in its
     sections (Material's per-section "terms") cover the word: 全过程 by 全过程, 无汞替代 by 无汞 + 替代,
     an English word by its stem. */
  var words = [];
  function covers(word, found) {
    var covered = new Array(word.length).fill(false);
    found.forEach(function (term) {
      for (var at = word.indexOf(term); term && at !== -1; at = word.indexOf(term, at + 1))
        for (var i = at; i < at + term.length; i++) covered[i] = true;
    });
    return covered.every(Boolean);
  }
  function rerank(message) {
    var groups = (message.data && message.data.items) || [];
    var scored = groups.map(function (items, position) {
      var found = [];
      items.forEach(function (item) {
        Object.keys(item.terms || {}).forEach(function (term) { if (item.terms[term]) found.push(term.toLowerCase()); });
      });
      var has = words.filter(function (word) { return covers(word, found); }).length;
      return { items: items, has: has, position: position };
    });
    scored.sort(function (a, b) { return b.has - a.has || a.position - b.position; });
    message.data.items = scored.map(function (entry) {
      entry.items.forEach(function (item) {  // "missing: policies" and ?h=mercury, not the stems
        var terms = {};
        Object.keys(item.terms || {}).forEach(function (term) { terms[typed[term] || term] = item.terms[term]; });
        item.terms = terms;
      });
      return entry.items;
    });
    return message;
  }

  /* The page script asks for the index when the reader opens search. */
  try {
    new BroadcastChannel("kb-search").onmessage = function (event) { if (event.data === "load") load(); };
  } catch (error) { /* no BroadcastChannel (file://): the index loads at the first query */ }

  self.addEventListener("message", function (event) {
    var message = event.data || {};
    if (message.type === SETUP) {  // the stub index: the real one comes when it is needed
      if (message.data && message.data.options) options = message.data.options;
      send({ type: READY });
    } else if (message.type === QUERY) {
      if (!String(message.data || "").trim() && !loading) {  // Material's empty query at page load
        send({ type: RESULT, data: { items: [] } });
        return;
      }
      load().then(function () {
        typed = {};
        var query = prepare(String(message.data || ""));
        words = query.toLowerCase().split(/\s+/).map(function (w) { return w.replace(/^[+-]|[*~^\d]+$/g, ""); }).filter(Boolean);
        material({ data: { type: QUERY, data: query } });
      }, function () {
        send({ type: RESULT, data: { items: [] } });
      });
    }
  });
})();
