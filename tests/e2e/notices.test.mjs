// notices.test.mjs (issue #16): a notice the official account could not deliver, on the member's
// ticket and progress pages, and for staff on the camp's member tab and the member's detail page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HTTP, HTTPS, INSTANCE, ROOT, assertNoProblems, openSession, sql, visit } from './harness.mjs';

describe('notices that did not reach the member', () => {
	const tag = randomBytes(3).toString('hex');
	const token = `tk_${randomBytes(16).toString('hex')}`;
	let campId;
	let memberId;
	before(() => {
		campId = sql(`INSERT INTO training_camp (name, deposit, start_date, end_date, total_days,
			required_days, status) VALUES ('E2E 通知营 ${tag}', 99.00, current_date - 3, current_date + 10,
			14, 10, 'ongoing') RETURNING id`);
		// the notice is already on record as undelivered: the member's (sealed) openid plays no part
		memberId = sql(`INSERT INTO camp_member (camp_id, filled_planet_user_id, filled_planet_nickname,
			filled_wechat_nickname, paid, paid_at) VALUES (${campId}, '8${Date.now() % 10 ** 13}',
			'未关注的小王', '小王', true, now() - interval '2 days') RETURNING id`);
		const pay = sql(`INSERT INTO payment_record (order_no, camp_id, member_id, pay_amount, trade_type,
			pay_status, pay_time, bind_status, bind_method) VALUES ('CPE2E${tag}', ${campId},
			${memberId}, 99, 'JSAPI', 'success', now() - interval '2 days', 'completed',
			'h5_bindplanet') RETURNING id`);
		sql(`INSERT INTO access_token (token_sha256, payment_id, camp_id, member_id, status, expires_at)
			VALUES ('${createHash('sha256').update(token).digest('hex')}', ${pay}, ${campId}, ${memberId},
			'active', now() + interval '30 days')`);
		sql(`INSERT INTO notification_message (recipient_type, recipient_id, message_type, title, content,
			camp_id, member_id, channel, send_status, error_message, dedupe_key) VALUES ('member', ${memberId},
			'join_remind', '请扫码进群', '你已报名训练营「E2E 通知营 ${tag}」，但还没有进群。请打开入群二维码，扫码进群开始打卡。',
			${campId}, ${memberId}, 'mp', 'failed', '会员未关注公众号（43004），无法推送；已显示在会员的页面上',
			'join_remind')`);
	});

	// out of the H5 list afterwards (it shows the first 100 open camps)
	after(() => { if (campId) sql(`UPDATE training_camp SET deleted_at = now() WHERE id = ${Number(campId)}`); });

	test('the member sees it on the ticket and progress pages', async () => {
		const s = await openSession('h5');
		try {
			for (const [url, name] of [[`${HTTPS}/h5/t/${token}`, 'ticket-notice'],
				[`${HTTPS}/h5/t/${token}/progress`, 'progress-notice']]) {
				await visit(s, url, { name });
				const box = s.page.locator('.member-notices');
				assert.ok(await box.isVisible(), name);
				assert.match(await box.textContent(), /请扫码进群[\s\S]*还没有进群/);
			}
			assertNoProblems(s);
		} finally {
			await s.close();
		}
	});

	test('staff see the unreachable member and the delivery state', async () => {
		const s = await openSession('admin');
		try {
			sql(`DELETE FROM login_attempt WHERE NOT success`);
			const pw = readFileSync(path.join(ROOT, 'var', INSTANCE, 'admin-password'), 'utf8').trim();
			await visit(s, `${HTTP}/admin/login`, { name: 'login-notices' });
			await s.page.fill('#username', 'admin');
			await s.page.fill('#password', pw);
			await Promise.all([s.page.waitForURL(/\/admin\/$/), s.page.click('button[type=submit]')]);
			await visit(s, `${HTTP}/admin/camps/${campId}?tab=members`, { name: 'camp-members-unreachable' });
			const row = s.page.locator(`tr[data-unreached-id="${memberId}"]`);
			assert.match(await row.textContent(), /未关注的小王[\s\S]*进群提醒[\s\S]*43004/);
			await visit(s, `${HTTP}/admin/members/${memberId}`, { name: 'member-notices' });
			const notice = s.page.locator('#notices tr.notice-row_failed');
			assert.match(await notice.textContent(), /进群提醒[\s\S]*公众号模板消息[\s\S]*未送达[\s\S]*43004/);
			assertNoProblems(s);
		} finally {
			await s.close();
		}
	});
});
