/* CareDesk: an HTMX request that fails never leaves the page silently unchanged.
 *
 * A 4xx answer with a page (a form with its errors, a refusal) is swapped in and speaks for
 * itself. Anything else — a 5xx, an empty 4xx, a whole error page meant for a part of the
 * page, no answer at all — keeps the page as it was
 * and shows the #request-error alert with a message in the reader's language, taken from the
 * alert's data attributes (rendered by the server with the rest of the page).
 */
(function () {
  "use strict";

  function alertBox() {
    return document.getElementById("request-error");
  }

  function messageFor(status) {
    const box = alertBox();
    if (!box) return "";
    if (status === 0) return box.dataset.network;
    if (status === 403) return box.dataset.forbidden;
    if (status === 404 || status === 410) return box.dataset.gone;
    if (status === 429) return box.dataset.throttled;
    if (status >= 500) return box.dataset.server;
    return box.dataset.refused;
  }

  function show(status) {
    const box = alertBox();
    if (!box) return;
    box.querySelector("[data-role=text]").textContent = messageFor(status);
    box.dataset.status = String(status);
    box.hidden = false;
  }

  function hide() {
    const box = alertBox();
    if (box) box.hidden = true;
  }

  document.addEventListener("htmx:beforeRequest", hide);

  document.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if (xhr.status < 400) return;
    const body = xhr.responseText.trim();
    // A whole error page is no answer for a part of one (the hand-off form's slot).
    const pageIntoPart = event.detail.target !== document.body && /<html[\s>]/i.test(body);
    if (event.detail.shouldSwap && body !== "" && !pageIntoPart) return;
    event.detail.shouldSwap = false;
    show(xhr.status);
  });

  document.addEventListener("htmx:sendError", function () {
    show(0);
  });
  document.addEventListener("htmx:timeout", function () {
    show(0);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("#request-error [data-role=close]")) hide();
  });
})();
