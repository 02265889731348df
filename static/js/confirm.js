/* confirm.js: forms with class js-confirm ask before they submit (CSP: no inline handlers). */
(function () {
  'use strict';
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains('js-confirm')) return;
    var msg = form.getAttribute('data-confirm') || '确定要执行此操作吗？';
    if (!window.confirm(msg)) ev.preventDefault();
  });
})();
