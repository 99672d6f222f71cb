/* What we heard: while the themes are rebuilt, poll the job's progress and move the bar; when
   the job is done, reload to show the new themes. Without this file a reload shows the same. */
(function () {
  'use strict';

  var POLL_MS = 2000;

  function follow(bar) {
    var url = bar.getAttribute('data-job-url');
    var status = document.getElementById(bar.getAttribute('data-status-id'));

    function show(job) {
      bar.value = job.progress;
      bar.textContent = Math.round(job.progress * 100) + '%';
      if (job.status === 'done') {
        window.location.reload();
      } else if (job.status === 'failed') {
        if (status) { status.textContent = bar.getAttribute('data-failed-text'); }
      } else {
        window.setTimeout(poll, POLL_MS);
      }
    }

    function poll() {
      window.fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(show)
        .catch(function () { /* stop quietly: a reload still shows where the job is */ });
    }

    window.setTimeout(poll, POLL_MS);
  }

  function init() {
    if (!window.fetch || !document.querySelectorAll) { return; }
    var bars = document.querySelectorAll('progress[data-job-url]');
    for (var i = 0; i < bars.length; i += 1) { follow(bars[i]); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
