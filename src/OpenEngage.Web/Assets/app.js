// OpenEngage profile browser: small enhancements; every page works without this script.
(function () {
  'use strict';

  // Copy buttons: data-copy names the element whose text is copied.
  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-copy]');
    if (!button) { return; }
    var source = document.querySelector(button.getAttribute('data-copy'));
    if (!source || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(source.textContent).then(function () {
      var label = button.textContent;
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // A bulk change's progress: polls its state until it is over.
  var job = document.querySelector('[data-job]');
  if (job) {
    var over = ['finished', 'cancelled', 'failed'];
    var format = function (n) { return Number(n).toLocaleString('en'); };
    var poll = function () {
      fetch('/ui/jobs/' + encodeURIComponent(job.getAttribute('data-job')), { credentials: 'same-origin', cache: 'no-store' })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          job.setAttribute('data-state', state.state);
          document.getElementById('job-state').textContent = state.state;
          document.getElementById('job-done').textContent = format(state.done);
          document.getElementById('job-total').textContent = state.total < 0 ? '…' : format(state.total);
          document.getElementById('job-failed').textContent = format(state.failed);
          var progress = document.getElementById('job-progress');
          progress.max = Math.max(state.total, 1);
          progress.value = state.done;
          var message = document.getElementById('job-message');
          if (state.message) { message.textContent = state.message; message.hidden = false; }
          var cancel = document.getElementById('job-cancel');
          if (over.indexOf(state.state) >= 0) {
            if (cancel) { cancel.hidden = true; }
            return;
          }
          setTimeout(poll, 500);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    if (over.indexOf(job.getAttribute('data-state')) < 0) { poll(); }
  }

  // After a failed where, put the caret where the parser stopped.
  var where = document.getElementById('where');
  if (where && where.getAttribute('aria-invalid') === 'true') {
    var message = document.querySelector('#where-error p');
    var match = message && /position (\d+)/.exec(message.textContent);
    where.closest('details').open = true;
    where.focus();
    if (match) { where.setSelectionRange(Number(match[1]), Number(match[1])); }
  }
})();
