/* Sổ tay đảng viên service worker: the app shell and saved documents work offline.
   Pages go to the network first; when it fails, a saved copy (cache "dangso-saved", filled
   by "Lưu để đọc offline") or the offline page answers. */
const SHELL = "dangso-shell-v1";
const SAVED = "dangso-saved";
const OFFLINE_URL = {{ offline_url|safe }};
const STATIC_URLS = {{ static_urls|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll([...STATIC_URLS, OFFLINE_URL])));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        // Keep saved documents fresh when they are read online.
        if (response.ok) {
          const copy = response.clone();
          caches.open(SAVED).then((cache) =>
            cache.match(request).then((hit) => hit && cache.put(request, copy))
          );
        }
        return response;
      })
      .catch(() =>
        caches.match(request).then((hit) => {
          if (hit) return hit;
          if (request.mode === "navigate") return caches.match(OFFLINE_URL);
          return Response.error();
        })
      )
  );
});
