// console.test.mjs: the operator's console in the browser (issue #15) — the reports page draws both
// charts, the 待审核 selection shows its count and total, 生成二维码 opens in place, the camp's
// 退款情况 and a regenerated refund list, the 通知 settings, and the H5 打卡记录; screenshots of each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HTTP, SCREENSHOTS, assertNoProblems, fixture, openSession, signInFresh, visit } from './harness.mjs';

// How many pixels of a canvas are not transparent: a drawn chart paints some.
function painted(page, id) {
	return page.evaluate((cid) => {
		const c = document.getElementById(cid);
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4)
			if (d[i] !== 0)
				n++;
		return n;
	}, id);
}

describe('the operator\'s console in the browser', () => {
	let s, f;
	before(async () => {
		f = fixture('console');
		s = await openSession('admin');
		await signInFresh(s, 'admin', 'e2e_console');
	});
	after(async () => { await s?.close(); });

	test('the reports page draws both charts from the page\'s data', async () => {
		const { page } = s;
		await visit(s, `${HTTP}/admin/reports`, { name: 'reports' });
		await page.waitForFunction(() => window.campCharts && window.campCharts.money && window.campCharts.rates);
		const sets = await page.evaluate(() => [window.campCharts.money.data.datasets.map((d) => d.data.length),
			window.campCharts.rates.data.labels.length]);
		assert.ok(sets[0][0] > 0 && sets[0][1] > 0 && sets[1] > 0, JSON.stringify(sets));
		assert.ok(await painted(page, 'chart-money') > 500, 'the income/refund chart is not painted');
		assert.ok(await painted(page, 'chart-rates') > 500, 'the check-in rate chart is not painted');
		// one camp, this month's shortcut, the export buttons
		await visit(s, `${HTTP}/admin/reports?camp_id=${f.camp_id}`, { name: 'reports-one-camp' });
		await page.waitForFunction(() => window.campCharts !== undefined);
		assert.equal(await page.locator('.report-table tbody tr').count(), 1);
		assert.ok(await painted(page, 'chart-rates') > 500);
		assert.ok(await page.locator('button[name=format][value=xlsx]').isVisible());
		assertNoProblems(s);
	});

	test('待审核 shows the selection\'s count and total before 批量通过', async () => {
		const { page } = s;
		await visit(s, `${HTTP}/admin/refunds/pending?camp_id=${f.camp_id}`, { name: 'refunds-pending-console' });
		assert.equal(await page.textContent('#sel-count'), '0');
		await page.check(`input[name=ids][value="${f.refund_ids[0]}"]`);
		assert.equal(await page.textContent('#sel-count'), '1');
		assert.equal(await page.textContent('#sel-sum'), '¥99.00');
		await page.check('#select-all');
		assert.equal(await page.textContent('#sel-count'), '2');
		assert.equal(await page.textContent('#sel-sum'), '¥198.00');
		await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-refunds-pending-selection.png'), fullPage: true });
		// the near miss can be proposed by hand from here
		assert.ok(await page.locator('tr.near-miss form[action="/admin/refunds/propose"]').isVisible());
		assertNoProblems(s);
	});

	test('生成二维码 opens the QR with a download without leaving the list', async () => {
		const { page } = s;
		await visit(s, `${HTTP}/admin/camps`, { name: 'camps-list' });
		const before = page.url();
		await page.locator('a.qr-open').first().click();
		const dlg = page.locator('dialog.qr-dialog');
		await dlg.waitFor({ state: 'visible' });
		await page.waitForFunction(() => {
			const img = document.querySelector('dialog.qr-dialog img');
			return img && img.complete && img.naturalWidth > 0;
		});
		assert.equal(page.url(), before);
		assert.match(await dlg.locator('a[download]').getAttribute('href'), /^\/admin\/camps\/\d+\/qrcode\.png$/);
		assert.match(await dlg.locator('input').inputValue(), /\/h5\/camps\/\d+$/);
		await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-camps-qr-dialog.png') });
		await dlg.locator('button:has-text("关闭")').click();
		await dlg.waitFor({ state: 'detached' });
		assertNoProblems(s);
	});

	test('the camp\'s 退款情况, and 生成退款名单 again ends in a sentence', async () => {
		const { page } = s;
		await visit(s, `${HTTP}/admin/camps/${f.camp_id}?tab=refunds`, { name: 'camp-refunds-tab' });
		assert.equal(await page.locator('table.camp-refunds tbody tr').count(), 3);
		await visit(s, `${HTTP}/admin/camps/${f.camp_id}?tab=members`, { name: 'camp-members-tab' });
		await visit(s, `${HTTP}/admin/camps/${f.camp_id}?tab=checkins`, { name: 'camp-checkins-tab' });
		await visit(s, `${HTTP}/admin/camps/${f.camp_id}`, { name: 'camp-overview-markdown' });
		assert.equal(await page.locator('dd.md strong').textContent(), '21 天写作营');
		await page.goto(`${HTTP}/admin/camps/${f.camp_id}?tab=refunds`);
		await page.click('#generate-refund-list');
		await page.locator('dialog.confirm-dialog button:has-text("生成")').click();
		await page.waitForURL(/\/admin\/jobs\/\d+$/);
		await page.locator('.job__summary').waitFor({ timeout: 60000 });
		assert.match(await page.textContent('.job__summary'), /^新增 0 条待审核.*1 名会员差 1–2 天/);
		assert.equal(await page.locator('pre.job__result').isVisible(), false);   // raw JSON folded away
		await page.screenshot({ path: path.join(SCREENSHOTS, 'admin-job-refund-list.png'), fullPage: true });
		assertNoProblems(s);
	});

	test('the 通知 settings and the 工作台', async () => {
		const { page } = s;
		await visit(s, `${HTTP}/admin/settings#group-3`, { name: 'settings-notifications' });
		assert.equal(await page.locator('input[name=alert_on][value=config_changed]').isDisabled(), true);
		assert.ok(await page.locator('select[name=admin_user_ids]').isVisible());
		await page.locator('#group-3').screenshot({ path: path.join(SCREENSHOTS, 'admin-settings-notify.png') });
		await visit(s, `${HTTP}/admin/`, { name: 'dashboard-console' });
		assertNoProblems(s);
	});
});

describe('the member\'s progress page', () => {
	test('lists the check-in records under the calendar', async () => {
		const f = fixture('h5_progress');
		const h = await openSession('h5');
		try {
			await visit(h, `${HTTP}${f.ticket_url}/progress`, { name: 'progress-records' });
			const rows = await h.page.locator('.records__table tbody tr').count();
			assert.equal(rows, 5);                                  // camp day 1 .. today
			assert.equal(await h.page.locator('.records__row_done').count(), 3);
			assert.match(await h.page.locator('.records__row_done td').nth(1).textContent(), /^20:15:00$/);
			await visit(h, `${HTTP}/h5/camps/${f.camp_id}`, { name: 'camp-detail-markdown' });
			assertNoProblems(h);
		} finally {
			await h.close();
		}
	});
});
