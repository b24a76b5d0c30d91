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
})();
