// Recovery codes: a button that copies them all and one that prints them. Without script both
// stay hidden; the codes are plain text on the page and the browser's own print command prints
// them (the stylesheet prints only the codes).
(function () {
  'use strict';
  var list = document.querySelector('[data-codes]');
  if (!list) return;
  var copy = document.querySelector('[data-codes-copy]');
  var print = document.querySelector('[data-codes-print]');
  function codes() {
    return Array.prototype.map.call(list.querySelectorAll('code'), function (code) {
      return code.textContent.trim();
    }).join('\n');
  }
  function say(text) {
    var status = document.getElementById(copy.dataset.status);
    if (status) status.textContent = text;
  }
  if (copy && navigator.clipboard && window.isSecureContext) {
    copy.hidden = false;
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(codes() + '\n').then(
        function () { say(copy.dataset.done); },
        function () { say(copy.dataset.failed); }
      );
    });
  }
  if (print && typeof window.print === 'function') {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }
})();
