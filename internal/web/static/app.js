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
  // page load, and the arrow keys change the caller wherever the focus is.
  // One caller: the focus is on the first creation button (Enter creates);
  // several: on the caller choice, and Enter picks.
  var pop = document.getElementById('pop');
  if (pop) {
    var radios = Array.prototype.slice.call(pop.querySelectorAll('input[name="caller"]'));
    var lists = document.getElementById('pop-lists');
    var show = document.getElementById('pop-show');
    if (show) {
      show.hidden = true; // the lists follow the selection by themselves
    }
    var pending = null;
    // all asks for every row of the lists rather than the newest; focus
    // names the list whose heading takes the focus once they are shown.
    var reload = function (value, all, focus) {
      var url = pop.getAttribute('data-lists') + '&caller=' + encodeURIComponent(value) +
        '&callers=' + encodeURIComponent(pop.getAttribute('data-callers') || '') +
        '&pop_number=' + encodeURIComponent(pop.getAttribute('data-number') || '') + (all ? '&all=1' : '');
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
        if (focus) {
          var h = lists.querySelector('section[data-list="' + CSS.escape(focus) + '"] h2');
          if (h) {
            h.focus();
          }
        }
      }).catch(function (err) {
        if (err.name !== 'AbortError') {
          lists.removeAttribute('aria-busy');
          if (show) {
            show.hidden = false; // fall back to the page load
          }
        }
      });
    };
    // The tab's title names the caller picked (data-name), so that the
    // agent finds the tab of the call.
    var number = pop.getAttribute('data-number');
    var firstOffer = pop.querySelector('button[data-offer]');
    radios.forEach(function (r) {
      r.addEventListener('change', function () {
        reload(r.value);
        var name = r.getAttribute('data-name');
        if (name) {
          document.title = name + (number ? ' — ' + number : '') + ' · ctidesk';
        }
      });
      // Enter on a caller picks him and moves on to the first creation
      // button, rather than submitting the form for whoever is checked. The
      // focus moves when the key is released, so that the key's press does
      // not also press the button.
      var enter = function (e) {
        return e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey;
      };
      r.addEventListener('keydown', function (e) {
        if (enter(e)) {
          e.preventDefault();
          r.setAttribute('data-enter', '1');
        }
      });
      r.addEventListener('keypress', function (e) {
        if (enter(e)) {
          e.preventDefault();
        }
      });
      r.addEventListener('keyup', function (e) {
        if (!enter(e) || !r.hasAttribute('data-enter')) {
          return;
        }
        r.removeAttribute('data-enter');
        if (!r.checked) {
          r.checked = true;
          r.dispatchEvent(new Event('change', {bubbles: true}));
        }
        if (firstOffer) {
          firstOffer.focus();
        }
      });
    });
    // "Show all" of a list: every row, without a page load.
    lists.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a[data-all]');
      if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) {
        return;
      }
      e.preventDefault();
      var checked = radios.find(function (r) { return r.checked; });
      var section = a.closest('section[data-list]');
      reload(checked ? checked.value : '0', true, section && section.getAttribute('data-list'));
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
  // "Add this number to a person": the persons found as the agent types,
  // without a page load (the Find button stays for a browser without this
  // file).
  var personQ = document.getElementById('pop-person-q');
  var personsBox = document.getElementById('pop-persons');
  if (personQ && personsBox) {
    var personsTimer = null;
    var personsPending = null;
    var findPersons = function () {
      personsTimer = null;
      if (personsPending) {
        personsPending.abort();
      }
      personsPending = new AbortController();
      fetch(personQ.getAttribute('data-persons') + '&person_q=' + encodeURIComponent(personQ.value),
        {credentials: 'same-origin', signal: personsPending.signal}).then(function (resp) {
        if (!resp.ok) {
          throw new Error(resp.status);
        }
        return resp.text();
      }).then(function (html) {
        personsBox.innerHTML = html;
      }).catch(function () {});
    };
    personQ.addEventListener('input', function () {
      if (personsTimer) {
        clearTimeout(personsTimer);
      }
      personsTimer = setTimeout(findPersons, 250);
    });
    personQ.form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (personsTimer) {
        clearTimeout(personsTimer);
      }
      findPersons();
    });
  }
  // Call notices: the user's event stream (/events) tells of the calls that
  // ring for him (a notice with a button that opens the screen pop), opens
  // the pop in this tab when he answers (if his setting says so, and no form
  // here is half filled in), and clears a notice when the call is taken or
  // ends (a missed call leaves one). The notices and the last event seen are
  // kept per tab in sessionStorage, so that they survive a page load and the
  // stream resumes where it stopped.
  var notices = document.getElementById('call-notices');
  if (notices && window.EventSource && window.JSON) {
    var store = window.sessionStorage;
    var text = function (name) { return notices.getAttribute('data-t-' + name) || ''; };
    var fill = function (s, v) { return s.replace(/%[sd]/, v); };
    var load = function (key, def) {
      try { return JSON.parse(store.getItem(key)) || def; } catch (err) { return def; }
    };
    var save = function (key, v) {
      try { store.setItem(key, JSON.stringify(v)); } catch (err) { /* private mode: no memory */ }
    };
    var shown = load('ctidesk-notices', {}); // call id -> {kind, data}
    var dirty = false; // a form of this page has unsaved input
    document.addEventListener('input', function (e) {
      if (e.target && e.target.form && e.target.form.method === 'post') {
        dirty = true;
      }
    });
    document.addEventListener('submit', function () { dirty = false; });
    var who = function (d) {
      var names = (d.callers || []).map(function (c) {
        return c.organization ? c.name + ' (' + c.organization + ')' : c.name;
      });
      var s = names.length ? names.join(', ') : text('unknown');
      if (d.more) {
        s += ' ' + fill(text('more'), d.more);
      }
      if (d.number) {
        s += ' · ' + d.number;
      }
      if (d.queue) {
        s += ' · ' + fill(text('queue'), d.queue);
      }
      return s;
    };
    var boxes = {};
    var remove = function (id) {
      if (boxes[id]) {
        boxes[id].remove();
        delete boxes[id];
      }
      if (shown[id]) {
        delete shown[id];
        save('ctidesk-notices', shown);
      }
    };
    var render = function (id, kind, d) {
      if (boxes[id]) {
        boxes[id].remove();
      }
      var box = document.createElement('div');
      box.className = 'call-notice ' + kind;
      box.setAttribute('data-call', id);
      box.setAttribute('data-kind', kind);
      var title = document.createElement('strong');
      title.textContent = text(kind);
      box.appendChild(title);
      var line = document.createElement('span');
      line.className = 'who';
      line.textContent = who(d);
      box.appendChild(line);
      var link = document.createElement('a');
      if (kind === 'missed') {
        link.href = '/calls?state=missed';
        link.textContent = text('log');
      } else {
        link.href = d.pop_url;
        link.className = 'button primary';
        link.setAttribute('data-open-pop', id);
        link.textContent = text('open');
      }
      box.appendChild(link);
      var close = document.createElement('button');
      close.type = 'button';
      close.className = 'secondary dismiss';
      close.textContent = text('dismiss');
      close.addEventListener('click', function () { remove(id); });
      box.appendChild(close);
      notices.appendChild(box);
      boxes[id] = box;
    };
    var show = function (id, kind, d) {
      shown[id] = {kind: kind, data: d};
      save('ctidesk-notices', shown);
      render(id, kind, d);
    };
    Object.keys(shown).forEach(function (id) { render(id, shown[id].kind, shown[id].data); });
    // One tab opens the pop of a call, whichever claims it first (a visible
    // tab before the others).
    var claim = function (id, then) {
      var key = 'ctidesk-pop-' + id;
      var take = function () {
        try {
          if (window.localStorage.getItem(key)) {
            return;
          }
          window.localStorage.setItem(key, String(Date.now()));
        } catch (err) { /* no storage: every tab opens */ }
        then();
      };
      var locked = function () {
        if (navigator.locks && navigator.locks.request) {
          navigator.locks.request(key, take);
        } else {
          take();
        }
      };
      if (document.visibilityState === 'visible') {
        locked();
      } else {
        setTimeout(locked, 300);
      }
    };
    try { // forget the claims of old calls
      Object.keys(window.localStorage).forEach(function (k) {
        if (k.indexOf('ctidesk-pop-') === 0 && Date.now() - Number(window.localStorage.getItem(k)) > 3600000) {
          window.localStorage.removeItem(k);
        }
      });
    } catch (err) { /* no storage */ }
    var onPop = function (id) {
      var here = document.getElementById('pop-call');
      return here && here.getAttribute('data-call') === String(id);
    };
    var last = load('ctidesk-last-event', '');
    var url = notices.getAttribute('data-events') + (last ? '?lastEventId=' + encodeURIComponent(last) : '');
    var source = new EventSource(url);
    var on = function (type, fn) {
      source.addEventListener(type, function (e) {
        save('ctidesk-last-event', e.lastEventId);
        var d;
        try { d = JSON.parse(e.data); } catch (err) { return; }
        fn(d);
      });
    };
    on('ringing', function (d) { show(d.call, 'ringing', d); });
    on('answered', function (d) {
      if (!d.open || dirty || onPop(d.call)) {
        if (onPop(d.call)) {
          remove(d.call);
        } else {
          show(d.call, 'answered', d);
        }
        return;
      }
      remove(d.call);
      claim(d.call, function () { window.location.assign(d.pop_url); });
    });
    // A page a program asked this agent's tab to show (the pop on
    // demand): opened as the pop on answer is, by one tab, unless a form
    // has unsaved input (then a notice with its button).
    on('display', function (d) {
      if (dirty) {
        show(d.call, 'display', d);
        return;
      }
      claim(d.call, function () { window.location.assign(d.pop_url); });
    });
    on('taken', function (d) { remove(d.call); });
    on('ended', function (d) {
      remove(d.call);
      if (d.state === 'missed') {
        show(d.call, 'missed', d);
      }
    });
    source.addEventListener('open', function () { notices.setAttribute('data-connected', 'true'); });
    source.addEventListener('error', function () { notices.removeAttribute('data-connected'); });
  }
  // The length of a call not over yet (the pop's creation banner), counted
  // from data-since, as the call log writes it (m:ss, h:mm:ss).
  var live = Array.prototype.slice.call(document.querySelectorAll('[data-since]'));
  if (live.length) {
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    var tick = function () {
      live.forEach(function (el) {
        var s = Math.max(0, Math.floor((Date.now() - Date.parse(el.getAttribute('data-since'))) / 1000));
        el.textContent = s >= 3600 ? Math.floor(s / 3600) + ':' + two(Math.floor(s / 60) % 60) + ':' + two(s % 60) :
          Math.floor(s / 60) + ':' + two(s % 60);
      });
    };
    tick();
    window.setInterval(tick, 1000);
  }
  // After a failed submission, the first field in error gets the focus.
  var invalid = document.querySelector('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
  }
  // The pop's note of the call: saved a moment after the agent stops
  // typing, no button (it stays for a browser without this file).
  var noteForm = document.getElementById('pop-note-form');
  if (noteForm) {
    var note = noteForm.querySelector('textarea');
    var status = document.getElementById('pop-note-status');
    var save = noteForm.querySelector('button[type="submit"]');
    if (save) {
      save.hidden = true;
    }
    var timer = null;
    var send = function () {
      timer = null;
      var sent = note.value;
      fetch(noteForm.action, {method: 'POST', credentials: 'same-origin', headers: {'Accept': 'application/json'},
        body: new URLSearchParams(new FormData(noteForm))}).then(function (resp) {
        if (!resp.ok) {
          throw new Error(resp.status);
        }
        // "Saved." only for the text as it is: the answer to an earlier
        // save (the agent paused, then typed on) says nothing of the rest.
        if (!timer && note.value === sent) {
          status.textContent = status.getAttribute('data-saved');
        }
      }).catch(function () {
        status.textContent = status.getAttribute('data-failed');
        if (save) {
          save.hidden = false;
        }
      });
    };
    note.addEventListener('input', function () {
      status.textContent = '';
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(send, 700);
    });
    // Leaving the page (Create) sends what is not sent yet.
    window.addEventListener('pagehide', function () {
      if (timer) {
        clearTimeout(timer);
        navigator.sendBeacon(noteForm.action, new URLSearchParams(new FormData(noteForm)));
      }
    });
  }
})();
