// Print the page from any button with a data-print attribute (e.g. the e-badge). A static
// file, not an inline handler, so the strict Content-Security-Policy holds.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
