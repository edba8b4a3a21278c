/* The portal as an installable app: register the service worker, say when the phone is
   offline, and save a library document for reading offline on request. */
(function () {
  "use strict";
  var script = document.currentScript;
  if ("serviceWorker" in navigator && script && script.dataset.sw) {
    navigator.serviceWorker.register(script.dataset.sw).catch(function () {});
  }
  function showState() {
    var banner = document.getElementById("ds-offline");
    if (banner) banner.hidden = navigator.onLine;
  }
  window.addEventListener("online", showState);
  window.addEventListener("offline", showState);
  document.addEventListener("DOMContentLoaded", showState);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-save-offline]");
    if (!button || !("caches" in window)) return;
    event.preventDefault();
    var urls = button.dataset.saveOffline.split(" ");
    caches.open("dangso-saved").then(function (cache) {
      return cache.addAll(urls);
    }).then(function () {
      button.disabled = true;
      button.textContent = button.dataset.savedLabel || button.textContent;
      var note = document.getElementById("saved-offline");
      if (note) note.hidden = false;
    }).catch(function () {
      alert(button.dataset.failedLabel || "");
    });
  });
})();
