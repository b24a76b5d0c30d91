// ctidesk: small enhancements; every page works without this file.
(function () {
  'use strict';
  // "/" focuses the global search box, as in many web applications, unless
  // the user is typing in a field.
  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      return;
    }
    var q = document.getElementById('search-q');
    if (q) {
      e.preventDefault();
      q.focus();
      q.select();
    }
  });
  // After a failed submission, the first field in error gets the focus.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
  }
})();
