// refund-select.js: 待审核 — the selection's count and total, shown before 批量通过; 全选 for this page.
(function () {
  "use strict";
  var form = document.getElementById("batch");
  if (!form) return;
  var all = document.getElementById("select-all");
  function picks() { return form.querySelectorAll("input.refund-pick"); }
  // fen → "1,234.50" with integers only (amounts are whole fen)
  function yuan(fen) {
    var y = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var f = String(fen % 100);
    return y + "." + (f.length < 2 ? "0" + f : f);
  }
  function update() {
    var n = 0, fen = 0, boxes = picks();
    for (var i = 0; i < boxes.length; i++) {
      if (!boxes[i].checked) continue;
      n++;
      fen += parseInt(boxes[i].getAttribute("data-fen"), 10) || 0;
    }
    document.getElementById("sel-count").textContent = String(n);
    document.getElementById("sel-sum").textContent = "¥" + yuan(fen);
    if (all) all.checked = n > 0 && n === boxes.length;
  }
  form.addEventListener("change", function (ev) {
    if (ev.target === all) {
      var boxes = picks();
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = all.checked;
    }
    update();
  });
  update();
})();
