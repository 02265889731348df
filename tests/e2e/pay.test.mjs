// pay.test.mjs: a member pays in each of the three ways through camp-sim — inside WeChat (JSAPI via the
// bridge stand-in), a phone browser outside WeChat (H5) and a desktop (Native QR) — and sees the group QR.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ANDROID_UA, DESKTOP_UA, ENV, HTTPS, assertNoProblems, openSession, sql, visit,
	weixinInvokes } from './harness.mjs';

const PNG_1x1 = '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f63d8d0000000049454e44ae426082';

async function simPay(orderNo) {
	const r = await fetch(`${ENV.CAMP_SIM_URL}/sim/wechatpay/orders/${orderNo}/pay`, {
		method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}',
	});
	assert.equal(r.status, 200, await r.text());
}

// An ongoing camp with a group QR; its id.
function makeCamp(name) {
	const sha = sql(`INSERT INTO media (sha256, mime, bytes, size, width, height)
		SELECT encode(sha256(decode('${PNG_1x1}', 'hex')), 'hex'), 'image/png',
		       decode('${PNG_1x1}', 'hex'), length(decode('${PNG_1x1}', 'hex')), 1, 1
		ON CONFLICT (sha256) DO UPDATE SET size = EXCLUDED.size RETURNING sha256`);
	return sql(`INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,
		required_days, description, group_qrcode_sha256, planet_project_id, status)
		VALUES ('${name}', 99.00, current_date - 1, current_date + 20, 22, 15,
		'每天打卡', '${sha}', '51111', 'ongoing') RETURNING id`);
}

// Fills the enrollment form and sends it.
async function enroll(page, nickname) {
	await page.fill('#planet_nickname', nickname);
	await page.fill('#planet_user_id', String(10 ** 14 + (Date.now() % 10 ** 9)));
	await page.fill('#wechat_nickname', nickname);
	await page.check('#agree');
	await page.click('button[type=submit]');
}

describe('H5 payment inside WeChat', () => {
	let s;
	let campId;
	const name = `E2E 支付营 ${Date.now() % 100000}`;
	before(async () => {
		campId = makeCamp(name);
		s = await openSession('h5', { weixinBridge: true });
	});
	after(async () => { await s?.close(); });

	test('OAuth, the form, WeixinJSBridge, the callback, then the group QR', async () => {
		const { page } = s;
		// inside WeChat the camp page first learns the openid (camp-sim's OAuth redirects back)
		await visit(s, `${HTTPS}/h5/camps/${campId}`, { name: 'camp' });
		// (the browser keeps #wechat_redirect from the authorize URL across the redirects)
		assert.match(page.url(), new RegExp(`/h5/camps/${campId}(#wechat_redirect)?$`));
		await Promise.all([page.waitForURL(/\/h5\/orders\/CP\w+$/), enroll(page, '浏览器测试')]);
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

// issue #16: a phone cannot scan its own screen — phone browsers outside WeChat pay with
// WeChat Pay H5 (camp-sim's cashier page stands in for WeChat's), desktops scan a Native QR.
describe('paying from any phone', () => {
	let campId;
	before(() => { campId = makeCamp(`E2E 任意手机营 ${Date.now() % 100000}`); });
	// out of the H5 list afterwards (it shows the first 100 open camps)
	after(() => { if (campId) sql(`UPDATE training_camp SET deleted_at = now() WHERE id = ${Number(campId)}`); });

	test('a phone browser outside WeChat: H5, WeChat\'s cashier, back to the paying page, the ticket', async () => {
		const s = await openSession('h5', { userAgent: ANDROID_UA });
		try {
			const { page } = s;
			await visit(s, `${HTTPS}/h5/camps/${campId}`, { name: 'camp-h5pay' });
			assert.match(page.url(), new RegExp(`/h5/camps/${campId}$`));   // no OAuth outside WeChat
			await enroll(page, '手机浏览器');
			// the paying page sends the browser on to h5_url (+ redirect_url back to itself)
			await page.waitForURL(/\/sim\/h5pay\/checkmweb\?prepay_id=wx\w+&package=\d+&redirect_url=/);
			const back = new URL(page.url()).searchParams.get('redirect_url');
			assert.match(back, new RegExp(`^${HTTPS}/h5/orders/CP\\w+\\?from=wxpay$`));
			const orderNo = new URL(back).pathname.split('/').pop();
			assert.equal(sql(`SELECT trade_type FROM payment_record WHERE order_no = '${orderNo}'`), 'MWEB');
			await page.screenshot({ path: 'tests/e2e/screenshots/h5-wxpay-cashier.png', fullPage: true });
			// pay there; WeChat sends the browser back, the page polls until the callback landed
			await page.click('#sim-h5-pay');
			await page.waitForURL(/\/h5\/t\/tk_[0-9a-f]{32}$/, { timeout: 20000 });
			await visit(s, page.url(), { name: 'ticket-h5pay' });
			assert.match(await page.textContent('h1'), /报名成功/);
			assert.equal(sql(`SELECT pay_status FROM payment_record WHERE order_no = '${orderNo}'`), 'success');
			assertNoProblems(s);
		} finally {
			await s.close();
		}
	});

	test('a desktop browser: a Native QR code, paid by scanning', async () => {
		const s = await openSession('h5', { userAgent: DESKTOP_UA, mobile: false });
		try {
			const { page } = s;
			await visit(s, `${HTTPS}/h5/camps/${campId}`, { name: 'camp-native' });
			await Promise.all([page.waitForURL(/\/h5\/orders\/CP\w+$/), enroll(page, '电脑浏览器')]);
			const orderNo = page.url().split('/').pop();
			assert.equal(sql(`SELECT trade_type FROM payment_record WHERE order_no = '${orderNo}'`), 'NATIVE');
			const qr = page.locator('img.native-pay__qr');
			assert.ok(await qr.isVisible());
			await page.screenshot({ path: 'tests/e2e/screenshots/h5-native-qr.png', fullPage: true });
			await simPay(orderNo);                           // the member scans it with WeChat
			await page.waitForURL(/\/h5\/t\/tk_[0-9a-f]{32}$/, { timeout: 20000 });
			assert.match(await page.textContent('h1'), /报名成功/);
			assertNoProblems(s);
		} finally {
			await s.close();
		}
	});
});
