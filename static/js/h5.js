/* h5.js: small comforts on the camp page (nothing the form needs to work). */
(function () {
  'use strict';
  var later = document.getElementById('later');
  if (!later) return;
  function sync() {
    var hint = later.checked ? '（可稍后补填）' : '';
    ['planet_nickname', 'planet_user_id'].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.placeholder = el.getAttribute('data-ph') || el.placeholder;
      if (el && !el.getAttribute('data-ph')) el.setAttribute('data-ph', el.placeholder);
      if (el) el.placeholder = el.getAttribute('data-ph') + hint;
    });
  }
  later.addEventListener('change', sync);
  sync();
})();
