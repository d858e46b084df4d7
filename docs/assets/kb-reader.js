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
