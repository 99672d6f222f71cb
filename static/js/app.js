/* Listening State: progressive enhancement only. Every page works without this file.
   The Content-Security-Policy forbids inline scripts, so all behaviour lives here. */
(function () {
  'use strict';

  var DEFAULT_MAX = 5000;   // the server-side limit for a comment body
  var ANNOUNCE_DELAY = 800; // ms of quiet typing before screen readers hear the count

  function limitOf(textarea) {
    var max = parseInt(textarea.getAttribute('maxlength'), 10);
    return max > 0 ? max : DEFAULT_MAX;
  }

  // Count characters the way the server does (code points, not UTF-16 units).
  function lengthOf(text) {
    return Array.from ? Array.from(text).length : text.length;
  }

  function addCounter(textarea, index) {
    if (textarea.getAttribute('data-counter') === 'on') { return; }
    textarea.setAttribute('data-counter', 'on');

    var max = limitOf(textarea);
    var id = (textarea.id || 'textarea-' + index) + '-counter';

    // Visible count, updated on every keystroke; read out when the field gets focus.
    var visible = document.createElement('p');
    visible.className = 'char-counter';
    visible.id = id;
    visible.setAttribute('aria-hidden', 'true');

    // Polite live region, updated only after a pause so typing is not interrupted.
    var live = document.createElement('p');
    live.className = 'visually-hidden';
    live.setAttribute('aria-live', 'polite');
    live.setAttribute('aria-atomic', 'true');

    var timer = null;
    function update(announce) {
      var used = lengthOf(textarea.value);
      var text = used + ' / ' + max;
      visible.textContent = text;
      visible.classList.toggle('is-over', used > max);
      if (!announce) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { live.textContent = text; }, ANNOUNCE_DELAY);
    }

    textarea.insertAdjacentElement('afterend', visible);
    visible.insertAdjacentElement('afterend', live);

    var described = textarea.getAttribute('aria-describedby');
    textarea.setAttribute('aria-describedby', described ? described + ' ' + id : id);

    textarea.addEventListener('input', function () { update(true); });
    if (textarea.form) {
      textarea.form.addEventListener('reset', function () {
        window.setTimeout(function () { update(false); }, 0);
      });
    }
    update(false);
  }

  function init() {
    if (!document.querySelectorAll || !document.createElement('p').classList) { return; }
    var areas = document.querySelectorAll('textarea[maxlength], textarea#body');
    for (var i = 0; i < areas.length; i += 1) {
      addCounter(areas[i], i);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
