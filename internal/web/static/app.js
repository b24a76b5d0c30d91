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
  // The screen pop: the ticket lists follow the selected caller without a
  // page load, and the arrow keys change the caller wherever the focus is
  // (it stays on the first creation button, so that Enter creates).
  var pop = document.getElementById('pop');
  if (pop) {
    var radios = Array.prototype.slice.call(pop.querySelectorAll('input[name="caller"]'));
    var lists = document.getElementById('pop-lists');
    var show = document.getElementById('pop-show');
    if (show) {
      show.hidden = true; // the lists follow the selection by themselves
    }
    var pending = null;
    var reload = function (value) {
      var url = pop.getAttribute('data-lists') + '&caller=' + encodeURIComponent(value) +
        '&callers=' + encodeURIComponent(pop.getAttribute('data-callers') || '') +
        '&pop_number=' + encodeURIComponent(pop.getAttribute('data-number') || '');
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      lists.setAttribute('aria-busy', 'true');
      fetch(url, {credentials: 'same-origin', signal: pending.signal}).then(function (resp) {
        if (!resp.ok) {
          throw new Error(resp.status);
        }
        return resp.text();
      }).then(function (html) {
        lists.innerHTML = html;
        lists.removeAttribute('aria-busy');
      }).catch(function (err) {
        if (err.name !== 'AbortError') {
          lists.removeAttribute('aria-busy');
          if (show) {
            show.hidden = false; // fall back to the page load
          }
        }
      });
    };
    radios.forEach(function (r) {
      r.addEventListener('change', function () { reload(r.value); });
    });
    document.addEventListener('keydown', function (e) {
      if ((e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || e.ctrlKey || e.metaKey || e.altKey || radios.length < 2) {
        return;
      }
      var t = e.target;
      if (t && (t.type === 'radio' || t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
        return; // radios move by themselves; fields keep their keys
      }
      var i = radios.findIndex(function (r) { return r.checked; });
      var next = radios[(i + (e.key === 'ArrowDown' ? 1 : radios.length - 1)) % radios.length];
      e.preventDefault();
      next.checked = true;
      next.dispatchEvent(new Event('change', {bubbles: true}));
    });
  }
  // After a failed submission, the first field in error gets the focus.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
  }
})();
