/* Offline reading (installable on phones): pages the reader visits are kept, and a whole programme
   can be saved from its pages ("Save for offline reading", assets/kb-reader.js). Workbox, vendored in
   assets/vendor/workbox/ (nothing from a CDN). At the site root so that it serves every page.

   - Pages: network first (fresh when online, the kept copy after 4 s or offline).
   - Styles, scripts, images, search indexes: the kept copy at once, refreshed in the background.
   - PDFs and the offline zip are not kept (large; they are downloads). */
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

self.addEventListener("install", function () { self.skipWaiting(); });
wb.core.clientsClaim();

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

/* A page offline that was never kept: say so in both languages rather than the browser's error. */
wb.routing.setCatchHandler(function (ctx) {
  if (ctx.request.mode !== "navigate") return Promise.resolve(Response.error());
  var body = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>离线 · Offline</title><body style='font-family:sans-serif;padding:1rem'>" +
    "<p lang=zh-CN>此页尚未保存，离线时无法打开。联网后打开此页，或在板块页面选择“保存以便离线阅读”。</p>" +
    "<p lang=en>This page has not been saved for offline reading. Open it once while online, or save its programme.</p>";
  return Promise.resolve(new Response(body, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }));
});
