// snapshot.test.mjs: a camp page opened from a 朋友圈 snapshot (is_snapshotuser) asks the member
// to open it in WeChat proper, and offers no form to pay (issue #13).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV, HTTPS, assertNoProblems, openSession, sql, visit } from './harness.mjs';

describe('a 朋友圈 snapshot page', () => {
	let s;
	let campId;
	before(async () => {
		campId = sql(`INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,
			required_days, description, planet_project_id, status)
			VALUES ('E2E 快照营 ${Date.now() % 100000}', 99.00, current_date - 1, current_date + 20,
			22, 15, '每天打卡', '51111', 'ongoing') RETURNING id`);
		s = await openSession('h5');
		// camp-sim answers this browser's OAuth as WeChat answers a snapshot page
		await s.context.addCookies([{ name: 'sim_snapshot', value: '1', url: ENV.CAMP_SIM_URL }]);
	});
	after(async () => { await s?.close(); });

	test('says to open the page in WeChat, with no enrollment form', async () => {
		const { page } = s;
		await visit(s, `${HTTPS}/h5/camps/${campId}`, { name: 'snapshot' });
		assert.match(page.url(), /\/h5\/oauth\?/);
		assert.match(await page.textContent('h1'), /请在微信中打开本页面/);
		assert.equal(await page.locator('form').count(), 0);
		assert.equal(await page.locator(`a[href="/h5/camps/${campId}"]`).count(), 1);
		const cookies = await s.context.cookies(HTTPS);
		assert.ok(!cookies.some((c) => c.name === 'camp_openid'), 'no openid was kept');
		assertNoProblems(s);
	});
});
