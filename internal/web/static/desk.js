// ctidesk: the desk pages' enhancements (the phone menu, the caller search);
// every page works without this file.
(function () {
  'use strict';
  // On a phone the menu folds behind one button; without this script it
  // stays unfolded.
  var toggle = document.querySelector('header.top .menu-toggle');
  var nav = document.getElementById('main-nav');
  if (toggle && nav) {
    document.documentElement.classList.add('js-menu');
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
      nav.classList.toggle('open', open);
    });
  }
  // The user's menu (a details element) closes with Escape and when the
  // click lands elsewhere.
  var me = document.querySelector('header.top details.me');
  if (me) {
    document.addEventListener('click', function (e) {
      if (me.open && !me.contains(e.target)) {
        me.open = false;
      }
    });
    me.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && me.open) {
        me.open = false;
        me.querySelector('summary').focus();
      }
    });
  }
  // The person searches (the ticket form's caller, a user's contact person),
  // ARIA comboboxes: persons are suggested as the user types
  // (/persons/suggest), Up and Down move in the list, Enter picks, Escape
  // closes. Picking fills what the input's data attributes name: the select
  // data-fill-select (the caller), the select data-fill-org (his
  // organization), the input data-fill-id (a person's number). Without this
  // script the Find button searches with a page load.
  var setupSuggest = function (input) {
    var list = document.getElementById(input.getAttribute('aria-controls'));
    if (!list) {
      return;
    }
    var form = input.form;
    var field = function (attr) {
      var name = input.getAttribute(attr);
      return name ? form.querySelector('[name="' + name + '"]') : null;
    };
    var callerSelect = field('data-fill-select');
    var orgSelect = field('data-fill-org');
    var idInput = field('data-fill-id');
    var find = input.getAttribute('data-find') ? document.getElementById(input.getAttribute('data-find')) : null;
    if (find) {
      find.hidden = true;
    }
    var items = [];
    var active = -1;
    var timer = null;
    var pending = null;
    var swallowEnter = false;
    var setActive = function (i) {
      items.forEach(function (li, j) {
        li.setAttribute('aria-selected', j === i ? 'true' : 'false');
      });
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', items[i].id);
        items[i].scrollIntoView({block: 'nearest'});
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    };
    var close = function () {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      setActive(-1);
    };
    var open = function () {
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    };
    var ensureOption = function (select, value, text) {
      var opt = Array.prototype.find.call(select.options, function (o) { return o.value === value; });
      if (!opt) {
        opt = new Option(text, value);
        select.add(opt);
      }
      select.value = value;
    };
    var pick = function (li) {
      if (orgSelect) {
        ensureOption(orgSelect, li.getAttribute('data-org-id'), li.getAttribute('data-org-name'));
      }
      if (callerSelect) {
        ensureOption(callerSelect, li.getAttribute('data-id'),
          li.getAttribute('data-name') + ' · ' + li.getAttribute('data-org-name'));
        callerSelect.dispatchEvent(new Event('change', {bubbles: true}));
      }
      if (idInput) {
        idInput.value = li.getAttribute('data-id');
      }
      input.value = li.getAttribute('data-name');
      close();
    };
    var search = function () {
      var q = input.value.trim();
      if (q.length < 2) {
        list.innerHTML = '';
        items = [];
        close();
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      fetch(input.getAttribute('data-suggest') + '?q=' + encodeURIComponent(q),
        {credentials: 'same-origin', signal: pending.signal, headers: {Accept: 'text/html'}}).then(function (resp) {
        if (!resp.ok) {
          throw new Error(resp.status);
        }
        return resp.text();
      }).then(function (html) {
        list.innerHTML = html.trim() || '<li role="option" aria-disabled="true" class="none"></li>';
        var none = list.querySelector('li.none');
        if (none) {
          none.textContent = input.getAttribute('data-t-none');
        }
        // The options' ids are the persons'; two lists on a page keep
        // theirs apart.
        items = Array.prototype.slice.call(list.querySelectorAll('li[data-id]'));
        items.forEach(function (li) {
          li.id = list.id + '-' + li.getAttribute('data-id');
        });
        setActive(-1);
        open();
      }).catch(function (err) {
        if (err.name !== 'AbortError') {
          close();
        }
      });
    };
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (list.hidden) {
          if (items.length) {
            open();
          } else {
            search();
          }
          return;
        }
        if (!items.length) {
          return;
        }
        var next = e.key === 'ArrowDown' ? active + 1 : active - 1;
        setActive((next + items.length) % items.length);
      } else if (e.key === 'Enter') {
        if (!list.hidden) {
          e.preventDefault(); // pick, do not submit
          swallowEnter = true;
          if (active >= 0) {
            pick(items[active]);
          }
        }
      } else if (e.key === 'Escape') {
        if (!list.hidden) {
          e.preventDefault();
          close();
        }
      }
    });
    // An Enter that picked must not submit the form: some browsers and
    // drivers send its keypress apart from its keydown.
    input.addEventListener('keypress', function (e) {
      if (e.key === 'Enter' && swallowEnter) {
        e.preventDefault();
      }
    });
    input.addEventListener('keyup', function (e) {
      if (e.key === 'Enter') {
        swallowEnter = false;
      }
    });
    list.addEventListener('mousedown', function (e) {
      e.preventDefault(); // keep the focus in the search box
    });
    list.addEventListener('click', function (e) {
      var li = e.target.closest('li[data-id]');
      if (li) {
        pick(li);
      }
    });
    input.addEventListener('blur', function () {
      setTimeout(close, 100);
    });
  };
  Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), setupSuggest);
  // A list's filters leave their empty fields out of the URL, so that a
  // bookmarked view reads as what it filters: /tickets?agent=me&ongoing=1.
  Array.prototype.forEach.call(document.querySelectorAll('form.filters[method="get"]'), function (f) {
    f.addEventListener('submit', function () {
      Array.prototype.forEach.call(f.elements, function (el) {
        if (el.name && el.value === '' && !el.disabled) {
          el.disabled = true;
        }
      });
      // Back to this page later (bfcache), the fields work again.
      setTimeout(function () {
        Array.prototype.forEach.call(f.elements, function (el) {
          el.disabled = false;
        });
      }, 0);
    });
  });
})();
