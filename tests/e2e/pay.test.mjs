// pay.test.mjs: a member inside WeChat enrolls, pays through camp-sim (JSAPI via the bridge stand-in) and sees the group QR.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, HTTPS, assertNoProblems, openSession, sql, visit, weixinInvokes } from './harness.mjs';

const PNG_1x1 = '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f63d8d0000000049454e44ae426082';

async function simPay(orderNo) {
	const r = await fetch(`${ENV.CAMP_SIM_URL}/sim/wechatpay/orders/${orderNo}/pay`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
	});
	assert.equal(r.status, 200, await r.text());
}

describe('H5 payment inside WeChat', () => {
	let s;
	let campId;
	const name = `E2E 支付营 ${Date.now() % 100000}`;
	before(async () => {
		const sha = sql(`INSERT INTO media (sha256, mime, bytes, size, width, height)
			SELECT encode(sha256(decode('${PNG_1x1}', 'hex')), 'hex'), 'image/png',
			       decode('${PNG_1x1}', 'hex'), length(decode('${PNG_1x1}', 'hex')), 1, 1
			ON CONFLICT (sha256) DO UPDATE SET size = EXCLUDED.size RETURNING sha256`);
		campId = sql(`INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,
			required_days, description, group_qrcode_sha256, planet_project_id, status)
			VALUES ('${name}', 99.00, current_date - 1, current_date + 20, 22, 15,
			'每天打卡', '${sha}', '51111', 'ongoing') RETURNING id`);
		s = await openSession('h5', { weixinBridge: true });
	});
	after(async () => { await s?.close(); });

	test('OAuth, the form, WeixinJSBridge, the callback, then the group QR', async () => {
		const { page } = s;
		// inside WeChat the camp page first learns the openid (camp-sim's OAuth redirects back)
		await visit(s, `${HTTPS}/h5/camps/${campId}`, { name: 'camp' });
		// (the browser keeps #wechat_redirect from the authorize URL across the redirects)
		assert.match(page.url(), new RegExp(`/h5/camps/${campId}(#wechat_redirect)?$`));
		await page.fill('#planet_nickname', '浏览器测试');
		await page.fill('#planet_user_id', String(10 ** 14 + (Date.now() % 10 ** 9)));
		await page.fill('#wechat_nickname', '浏览器');
		await page.check('#agree');
		await Promise.all([page.waitForURL(/\/h5\/orders\/CP\w+$/), page.click('button[type=submit]')]);
		const orderNo = page.url().split('/').pop();
		await page.screenshot({ path: 'tests/e2e/screenshots/h5-paying.png', fullPage: true });
		// the page called getBrandWCPayRequest with the server's paySign
		await page.waitForFunction(() => (window.__wxInvokes || []).length > 0);
		const [call] = await weixinInvokes(page);
		assert.equal(call.name, 'getBrandWCPayRequest');
		assert.equal(call.args.signType, 'RSA');
		assert.match(call.args.package, /^prepay_id=/);
		assert.ok(call.args.paySign.length > 300);
		// "ok" from the bridge is only a hint: the ticket appears once camp-sim's callback lands
		await simPay(orderNo);
		await page.waitForURL(/\/h5\/t\/tk_[0-9a-f]{32}$/, { timeout: 20000 });
		await visit(s, page.url(), { name: 'ticket' });
		assert.match(await page.textContent('h1'), /报名成功/);
		const qr = page.locator('.ticket__qr img');
		assert.ok(await qr.isVisible());
		assert.match(await qr.getAttribute('src'), /^\/media\/[0-9a-f]{64}$/);
		assert.equal(sql(`SELECT pay_status FROM payment_record WHERE order_no = '${orderNo}'`), 'success');
		assertNoProblems(s);
	});
});
