/* pay.js: the paying page — WeixinJSBridge inside WeChat, WeChat Pay H5 in phone browsers, then poll the order status. */
(function () {
  'use strict';
  var box = document.getElementById('pay');
  if (!box) return;
  var statusUrl = box.getAttribute('data-status-url');
  var left = parseInt(box.getAttribute('data-expires-in'), 10) || 0;
  var state = document.getElementById('pay-state');
  var started = Date.now();

  function say(text) { if (state) state.textContent = text; }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', statusUrl, true);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.onload = function () {
      var r = null;
      try { r = JSON.parse(xhr.responseText); } catch (e) { r = null; }
      if (r && r.state === 'paid' && r.ticket_url) { window.location.replace(r.ticket_url); return; }
      if (r && (r.state === 'closed' || r.state === 'exception')) { window.location.reload(); return; }
      next();
    };
    xhr.onerror = next;
    xhr.send();
  }

  function next() {
    if ((Date.now() - started) / 1000 > left + 5) {
      say('订单已超时，请返回训练营页面重新支付。');
      return;
    }
    setTimeout(poll, 2000);
  }

  var btn = document.getElementById('jsapi-pay');
  function invoke() {
    if (typeof window.WeixinJSBridge === 'undefined') { say('请在微信中打开本页完成支付。'); return; }
    window.WeixinJSBridge.invoke('getBrandWCPayRequest', {
      appId: btn.getAttribute('data-appid'),
      timeStamp: btn.getAttribute('data-timestamp'),
      nonceStr: btn.getAttribute('data-nonce'),
      package: btn.getAttribute('data-package'),
      signType: 'RSA',
      paySign: btn.getAttribute('data-paysign')
    }, function (res) {
      /* ok is a hint, not proof: the server decides when the money has arrived */
      if (res && res.err_msg === 'get_brand_wcpay_request:ok') say('支付成功，正在确认…');
      else if (res && res.err_msg === 'get_brand_wcpay_request:cancel') say('已取消支付，可再次点击按钮支付。');
      else say('支付未完成，可再次点击按钮重试。');
    });
  }
  if (btn) {
    btn.addEventListener('click', invoke);
    if (typeof window.WeixinJSBridge !== 'undefined') invoke();
    else document.addEventListener('WeixinJSBridgeReady', invoke, false);
  }
  /* WeChat Pay H5 (phone browsers outside WeChat): off to WeChat's page once;
     it sends the member back here (without data-auto), where we poll */
  var h5 = document.getElementById('h5-pay');
  if (h5 && h5.getAttribute('data-auto') === '1') {
    say('正在打开微信支付…');
    window.location.href = h5.getAttribute('href');
    return;
  }
  next();
})();
