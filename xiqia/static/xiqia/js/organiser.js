// Organiser pages: a header checkbox that ticks every checkbox of its name on the page (the
// pending registrations for "Approve selected"). Loaded from a file, so the CSP holds.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (!all) {
      return;
    }
    var name = all.dataset.selectAll;
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
