// staff.test.mjs: a manual bind from the member page, and a refund batch approved and followed to success.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HTTP, assertNoProblems, fixture, openSession, signInFresh, sql, visit } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('staff in the browser', () => {
	let s;
	before(async () => { s = await openSession('admin'); await signInFresh(s, 'admin'); });
	after(async () => { await s?.close(); });

	test('binds a member by hand from the member page', async () => {
		const f = fixture('manual_bind');
		const { page } = s;
		await visit(s, `${HTTP}/admin/members/${f.member_id}`, { name: 'member-manual-bind' });
		await page.fill('#planet_user_id', f.planet_user_id);
		await Promise.all([page.waitForNavigation(), page.click('form[action$="/bind"] button[type=submit]')]);
		await visit(s, `${HTTP}/admin/members/${f.member_id}`, { name: 'member-bound' });
		assert.equal(sql(`SELECT bind_status || '/' || bind_method FROM payment_record
			WHERE order_no = '${f.order_no}'`), 'completed/manual');
		assertNoProblems(s);
	});

	test('approves a batch of refunds and sees it complete', async () => {
		const f = fixture('refund_batch');
		const { page } = s;
		await visit(s, `${HTTP}/admin/refunds/pending?camp_id=${f.camp_id}`, { name: 'refunds-pending' });
		for (const id of f.refund_ids)
			await page.check(`input[name=ids][value="${id}"]`);
		await Promise.all([page.waitForURL(/\/admin\/refunds\/approve$/),
			page.click('#batch button:has-text("批量通过")')]);
		// the second confirmation spells out the money before anything moves
		await page.screenshot({ path: path.join(here, 'screenshots', 'admin-refunds-confirm.png'), fullPage: true });
		assert.match(await page.textContent("main"), /将向 2 名会员退款共 ¥198\.00/);
		await Promise.all([page.waitForURL(/\/admin\/jobs\/\d+$/),
			page.click('main form[action="/admin/refunds/approve"] button[type=submit]')]);
		// the progress survives a reload; the job runs in camp-worker meanwhile
		const jobId = Number(page.url().split('/').pop());
		await page.reload();
		assert.match(await page.textContent('h1'), new RegExp(`#${jobId}`));
		const deadline = Date.now() + 150000;
		let state = '';
		while (Date.now() < deadline) {
			state = sql(`SELECT state FROM job_queue WHERE id = ${jobId}`);
			if (state === 'done' || state === 'failed')
				break;
			await new Promise((r) => setTimeout(r, 1000));
		}
		assert.equal(state, 'done');
		await page.reload();
		assert.equal(await page.getAttribute('#job', 'data-state'), 'done');
		await page.screenshot({ path: path.join(here, 'screenshots', 'admin-refund-batch-done.png'), fullPage: true });
		const ids = f.refund_ids.join(',');
		assert.equal(sql(`SELECT count(*) FROM refund_record WHERE id IN (${ids}) AND refund_status = 'success'`), '2');
		assertNoProblems(s);
	});
});
