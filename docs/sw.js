/* Offline reading (installable on phones): pages the reader visits are kept, and a whole programme
   can be saved from its pages ("Save for offline reading", assets/kb-reader.js). Workbox, vendored in
   assets/vendor/workbox/ (nothing from a CDN). At the site root so that it serves every page.

   - Pages: network first (fresh when online, the kept copy after 4 s or offline).
   - Styles, scripts, images, search indexes: the kept copy at once, refreshed in the background.
   - PDFs: only those a reader saved with a programme (its printed material for trainees, when the box
     is ticked) are kept, in a cache of their own; any other PDF and the offline zip are downloads. */
importScripts(
  "assets/vendor/workbox/workbox-core.prod.js",
  "assets/vendor/workbox/workbox-routing.prod.js",
  "assets/vendor/workbox/workbox-strategies.prod.js",
  "assets/vendor/workbox/workbox-expiration.prod.js",
  "assets/vendor/workbox/workbox-cacheable-response.prod.js"
);

var PAGES = "kb-pages-v1";
var ASSETS = "kb-assets-v1";
var wb = self.workbox;
var ok = new wb.cacheableResponse.CacheableResponsePlugin({ statuses: [200] });

/* The offline page (offline.html, made by the build from data/ui.yml in both languages) and what it
   needs are kept at install: a page that was never saved shows it, with the saved pages listed. */
var OFFLINE = "offline.html";
self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(Promise.all([
    caches.open(PAGES).then(function (cache) { return cache.add(OFFLINE); }),
    caches.open(ASSETS).then(function (cache) { return cache.addAll(["assets/kb.css", "assets/kb-offline-page.js"]); }),
  ]).catch(function () { /* kept at the next visit instead */ }));
});
wb.core.clientsClaim();

/* A saved PDF: fetched fresh online (the kept copy replaced, so saving again keeps the newest), the kept
   copy offline. A PDF not saved is fetched and not kept. First: opening a PDF is a navigation. */
var PRINTED = "kb-printed-v1";
wb.routing.registerRoute(
  function (ctx) { return ctx.sameOrigin && /\.pdf$/.test(ctx.url.pathname); },
  function (ctx) {
    var request = ctx.request;
    return caches.open(PRINTED).then(function (cache) {
      return cache.match(request.url).then(function (kept) {
        if (!kept) return fetch(request);
        return fetch(request).then(function (fresh) {
          if (fresh.status !== 200) return kept;
          return cache.put(request.url, fresh.clone()).then(function () { return fresh; });
        }, function () { return kept; });
      });
    });
  }
);
wb.routing.registerRoute(
  function (ctx) { return ctx.request.mode === "navigate" || (ctx.sameOrigin && /\/$|\.html$/.test(ctx.url.pathname)); },
  new wb.strategies.NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 4, plugins: [ok] })
);
wb.routing.registerRoute(
  function (ctx) { return ctx.sameOrigin && /\.(css|js|json|svg|png|jpe?g|webp|gif|woff2?)$/.test(ctx.url.pathname); },
  new wb.strategies.StaleWhileRevalidate({
    cacheName: ASSETS,
    plugins: [ok, new wb.expiration.ExpirationPlugin({ maxEntries: 400, purgeOnQuotaError: true })],
  })
);

/* A page offline that was never kept: the offline page (its links resolve from the site root: a <base>
   is added, as it is served at the address asked for), else a short note in both languages. */
wb.routing.setCatchHandler(function (ctx) {
  if (ctx.request.mode !== "navigate") return Promise.resolve(Response.error());
  var headers = { "Content-Type": "text/html; charset=utf-8" };
  return caches.open(PAGES).then(function (cache) { return cache.match(OFFLINE); }).then(function (kept) {
    if (kept) {
      return kept.text().then(function (html) {
        var base = "<base href=\"" + self.registration.scope.replace(/"/g, "%22") + "\">";
        return new Response(html.replace("<head>", "<head>" + base), { status: 503, headers: headers });
      });
    }
    var body = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
      "<title>离线 · Offline</title><body style='font-family:sans-serif;padding:1rem'>" +
      "<p lang=zh-CN>此页尚未保存，离线时无法打开。联网后打开此页，或在板块页面点击“保存本板块，以便离线阅读”。</p>" +
      "<p lang=en>This page has not been saved for offline reading. Open it once while online, or press " +
      "\"Save this programme for offline reading\" on a programme's page.</p>";
    return new Response(body, { status: 503, headers: headers });
  });
});
