/* confirm.js: forms marked data-confirm ask in a <dialog> before they submit. */
(function () {
  'use strict';
  function ask(form) {
    var dlg = document.createElement('dialog');
    dlg.className = 'confirm-dialog';
    var p = document.createElement('p');
    p.textContent = form.getAttribute('data-confirm');
    var bar = document.createElement('div');
    bar.className = 'confirm-dialog__actions';
    var no = document.createElement('button');
    no.type = 'button';
    no.className = 'btn btn-outline-secondary';
    no.textContent = '取消';
    var yes = document.createElement('button');
    yes.type = 'button';
    yes.className = 'btn btn-danger';
    yes.textContent = form.getAttribute('data-confirm-button') || '确定';
    bar.appendChild(no);
    bar.appendChild(yes);
    dlg.appendChild(p);
    dlg.appendChild(bar);
    document.body.appendChild(dlg);
    no.addEventListener('click', function () { dlg.close(); });
    dlg.addEventListener('close', function () { dlg.remove(); });
    yes.addEventListener('click', function () {
      form.dataset.confirmed = '1';
      dlg.close();
      form.submit();
    });
    dlg.showModal();
    no.focus();
  }
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.hasAttribute('data-confirm') || form.dataset.confirmed === '1')
      return;
    ev.preventDefault();
    ask(form);
  });
})();
