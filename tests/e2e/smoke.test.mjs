// smoke.test.mjs: the H5 camp list and the admin sign-in page render, validate and load their assets in Chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HTTP, HTTPS, assertNoProblems, openSession, sql, visit, weixinInvokes } from './harness.mjs';

const CAMP_NAME = 'E2E 冒烟测试 21天早起营';

// The page's CSS really applied (a missing stylesheet leaves the browser defaults).
function computed(page, selector, prop) {
	return page.$eval(selector, (el, p) => getComputedStyle(el)[p], prop);
}

function noHorizontalScroll(page) {
	return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

describe('H5 camp list', () => {
	let s;
	let campId;
	before(async () => {
		// the list shows the first 100 open camps by start date, and the suite leaves more
		// than that: this one starts first (ongoing) so it is on the page
		campId = sql(`INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,
			required_days, description, status)
			VALUES ('${CAMP_NAME}', 99.00, current_date - 400, current_date + 20, 421, 15,
			'每天早上 7 点前在星球打卡', 'ongoing') RETURNING id`);
		s = await openSession('h5', { weixinBridge: true });
	});
	after(async () => {
		await s?.close();
		if (campId)
			sql(`DELETE FROM training_camp WHERE id = ${Number(campId)}`);
	});

	test('renders a card per open camp inside the WeUI layout', async () => {
		await visit(s, `${HTTP}/h5/`, { name: 'list' });
		const { page } = s;
		assert.match(await page.title(), /训练营/);
		assert.equal(await page.locator('h1').first().textContent(), '训练营');
		const card = page.locator('.camp-card', { hasText: CAMP_NAME });
		await assert.doesNotReject(card.waitFor({ state: 'visible', timeout: 5000 }));
		const text = await card.textContent();
		assert.match(text, /¥99\.00/);
		assert.match(text, /已报名 0 人/);
		assert.equal(await card.locator('a').getAttribute('href'), `/h5/camps/${campId}`);
		// WeUI's stylesheet and ours are both in effect
		assert.notEqual(await computed(page, 'body', 'fontFamily'), 'Times New Roman');
		assert.equal(await computed(page, '.camp-list', 'listStyleType'), 'none');
		assert.ok(await noHorizontalScroll(page), 'the list scrolls sideways at 390 px');
		assertNoProblems(s);
	});

	test('works over HTTPS in the WeChat user agent without touching the JS bridge', async () => {
		await visit(s, `${HTTPS}/h5/`, { name: 'list-https' });
		assert.match(await s.page.evaluate(() => navigator.userAgent), /MicroMessenger/);
		assert.equal(await s.page.evaluate(() => typeof window.WeixinJSBridge.invoke), 'function');
		assert.deepEqual(await weixinInvokes(s.page), []);
		assertNoProblems(s);
	});
});

describe('admin sign-in page', () => {
	let s;
	before(async () => { s = await openSession('admin'); });
	after(async () => { await s?.close(); });

	test('shows a labelled form in the Bootstrap layout', async () => {
		await visit(s, `${HTTP}/admin/login`, { name: 'login' });
		const { page } = s;
		assert.match(await page.title(), /登录/);
		assert.equal(await page.getByLabel('用户名').getAttribute('name'), 'username');
		assert.equal(await page.getByLabel('密码').getAttribute('type'), 'password');
		const submit = page.getByRole('button', { name: '登录' });
		assert.equal(await submit.getAttribute('type'), 'submit');
		assert.ok(await page.locator('input[name=_csrf]').getAttribute('value'));
		// Bootstrap's button colour, not the browser's grey
		assert.notEqual(await computed(page, '.btn-primary', 'backgroundColor'), 'rgb(239, 239, 239)');
		assert.equal(await computed(page, '.skip-link', 'position'), 'absolute');
		assert.ok(await noHorizontalScroll(page));
		assertNoProblems(s);
	});
});
