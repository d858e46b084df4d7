/* Search per language, around Material's own search worker (Material lets a site provide its own
   worker through the page configuration: overrides/main.html points it here).

   - Each language has its own index (search/<lang>.json, written by kb/web/search.py after the build);
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
        vocabulary = lang === "zh" ? termsOf(index) : null;  // Chinese queries are segmented against it
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
    if (vocabulary) return segment(query);
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


  /* Chinese: the query is segmented against the index's own vocabulary, so every query term is an
     index term. jieba segmented the pages at build time, with the glossary as its user dictionary,
     so a compound such as 全球环境基金性别平等政策 or 无汞替代技术 is one index term; a query for
     性别平等政策 or 无汞替代 is a part of it, which Material's trailing wildcard (prefix match) never
     reaches. Forward maximum matching: at each position, the longest piece of the query that is an
     index term or lies inside one. A piece that is itself a term is sent as it is (Material keeps it
     whole and matches it as a prefix); a piece that only lies inside terms is sent as those terms
     (the most frequent first, at most MAX_EXPANSION) together with its own split into index terms,
     so pages that have the words apart still match. The ranking below counts a compound as the
     piece it was found for (alias). */
  var han = /\p{sc=Han}/u;
  var HAN_RUN = /\p{sc=Han}+/gu;
  var MAX_EXPANSION = 5;
  var vocabulary = null;  // Map: index term (with a Han character) -> number of times it occurs
  var alias = {};  // index term sent for a query piece -> the piece
  function termsOf(index) {
    var terms = new Map();
    var separator = new RegExp(index.config.separator || "[\\s\\-]+", "u");
    (index.docs || []).forEach(function (doc) {
      [doc.title || "", doc.text || ""].forEach(function (field) {
        field.replace(/<[^>]*>/g, " ").toLowerCase().split(separator).forEach(function (token) {
          if (token && han.test(token)) terms.set(token, (terms.get(token) || 0) + 1);
        });
      });
    });
    return terms;
  }
  var insideCache = new Map();
  function termsContaining(piece) {
    if (insideCache.has(piece)) return insideCache.get(piece);
    var found = [];
    vocabulary.forEach(function (count, term) { if (term !== piece && term.indexOf(piece) !== -1) found.push([term, count]); });
    found.sort(function (a, b) { return b[1] - a[1] || a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1); });
    var terms = found.map(function (entry) { return entry[0]; });
    insideCache.set(piece, terms);
    return terms;
  }
  function splitIntoTerms(run) {  // forward maximum matching on whole index terms only
    var out = [];
    for (var i = 0; i < run.length;) {
      var j = run.length;
      while (j > i + 1 && !vocabulary.has(run.slice(i, j))) j--;
      out.push(run.slice(i, j));
      i = j;
    }
    return out;
  }
  function segmentRun(run) {
    var out = [];
    for (var i = 0; i < run.length;) {
      var j = run.length, piece = null;
      for (; j > i + 1; j--) {
        var candidate = run.slice(i, j);
        if (vocabulary.has(candidate) || termsContaining(candidate).length) { piece = candidate; break; }
      }
      if (piece === null) piece = run.charAt(i);
      if (vocabulary.has(piece) || piece.length === 1) {
        out.push(piece);
      } else {
        termsContaining(piece).slice(0, MAX_EXPANSION).forEach(function (term) {
          if (!(term in alias)) alias[term] = piece;
          out.push(term);
        });
        splitIntoTerms(piece).forEach(function (part) { out.push(part); });
      }
      i += piece.length;
    }
    return out.join(" ");
  }
  function segment(query) {
    alias = {};
    return query.toLowerCase().replace(HAN_RUN, segmentRun).replace(/\s+/g, " ").trim();
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
        Object.keys(item.terms || {}).forEach(function (term) {
          if (item.terms[term]) found.push(alias[term.toLowerCase()] || term.toLowerCase());
        });
      });
      var has = words.filter(function (word) { return covers(word, found); }).length;
      return { items: items, has: has, position: position };
    });
    scored.sort(function (a, b) { return b.has - a.has || a.position - b.position; });
    message.data.items = scored.map(function (entry) {
      entry.items.forEach(function (item) {  // "missing: policies" and ?h=mercury, not the stems
        var terms = {};
        Object.keys(item.terms || {}).forEach(function (term) {
          var shown = typed[term] || alias[term] || term;
          terms[shown] = terms[shown] || item.terms[term];
        });
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
        var typedQuery = String(message.data || "");
        var query = prepare(typedQuery);
        // the words a page must have: as typed for Chinese (a compound sent for a piece counts as the piece), else as prepared (stems)
        var basis = vocabulary ? typedQuery.replace(HAN_THEN_LATIN, "$1$2 ") : query;
        words = basis.toLowerCase().split(/\s+/).map(function (w) { return w.replace(/^[+-]|[*~^\d]+$/g, ""); }).filter(Boolean);
        material({ data: { type: QUERY, data: query } });
      }, function () {
        send({ type: RESULT, data: { items: [] } });
      });
    }
  });
})();
