// qr-dialog.js: 生成二维码 on the camp list opens the enrollment QR in a dialog (with its link
// and a download) instead of leaving the list; without scripts the link opens the camp page.
(function () {
  "use strict";
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function open(a) {
    var dlg = el("dialog", "qr-dialog");
    dlg.setAttribute("aria-label", "报名二维码");
    dlg.appendChild(el("h2", "h5", a.getAttribute("data-qr-name") + " · 报名二维码"));
    var img = el("img", "qr-dialog__img");
    img.src = a.getAttribute("data-qr-src");
    img.alt = "报名二维码";
    img.width = 240;
    img.height = 240;
    dlg.appendChild(img);
    var link = el("input", "form-control qr-dialog__url");
    link.readOnly = true;
    link.value = a.getAttribute("data-qr-url");
    link.setAttribute("aria-label", "H5 报名链接");
    dlg.appendChild(link);
    var bar = el("div", "qr-dialog__actions");
    var dl = el("a", "btn btn-primary", "下载二维码");
    dl.href = a.getAttribute("data-qr-src");
    dl.setAttribute("download", a.getAttribute("data-qr-file"));
    var close = el("button", "btn btn-outline-secondary", "关闭");
    close.type = "button";
    close.addEventListener("click", function () { dlg.close(); });
    bar.appendChild(dl);
    bar.appendChild(close);
    dlg.appendChild(bar);
    dlg.addEventListener("close", function () { dlg.remove(); });
    document.body.appendChild(dlg);
    dlg.showModal();
    link.select();
  }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.qr-open") : null;
    if (!a) return;
    ev.preventDefault();
    open(a);
  });
})();
