// admin.test.mjs: sign in as each role and open every page it may; create a camp with both images through the form.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ENV, HTTP, assertNoProblems, openSession, sql, visit } from './harness.mjs';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
	'1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f63d8d0000000049454e44ae426082', 'hex');

// A user made with campctl, as operators do; returns [name, password].
function addUser(role) {
	const name = `e2e_${role}_${Math.random().toString(36).slice(2, 8)}`;
	const pw = `pw-${Math.random().toString(36).slice(2)}-x`;
	const dir = mkdtempSync(path.join(tmpdir(), 'camp-pw-'));
	const file = path.join(dir, 'pw');
	writeFileSync(file, `${pw}\n`);
	const r = spawnSync(`${ENV.CAMP_RUNTIME_DIR}/app/bin/campctl`,
		['user', 'add', name, '--role', role, '--password-file', file],
		{ env: { ...process.env, ...ENV }, encoding: 'utf8' });
	rmSync(dir, { recursive: true, force: true });
	assert.equal(r.status, 0, r.stderr);
	return [name, pw];
}

async function signIn(s, role) {
	// the integration tests' deliberate wrong passwords from 127.0.0.1 must not
	// count against these sign-ins (the per-IP limit is 20 in 15 minutes)
	sql(`DELETE FROM login_attempt WHERE NOT success`);
	const [name, pw] = addUser(role);
	await visit(s, `${HTTP}/admin/login`, { name: `login-${role}` });
	await s.page.fill('#username', name);
	await s.page.fill('#password', pw);
	await Promise.all([s.page.waitForURL(/\/admin\/$/), s.page.click('button[type=submit]')]);
	return name;
}

const PAGES = {
	admin: ['/admin/', '/admin/camps', '/admin/camps/new', '/admin/members', '/admin/checkins',
		'/admin/refunds/pending', '/admin/refunds', '/admin/payments/exceptions', '/admin/users',
		'/admin/users/new', '/admin/settings', '/admin/logs',
		'/admin/books',   // issue #14 (books)
		'/admin/reports'],   // issue #15
	manager: ['/admin/', '/admin/camps', '/admin/members', '/admin/checkins', '/admin/refunds/pending',
		'/admin/refunds', '/admin/payments/exceptions',
		'/admin/books',   // issue #14 (books)
		'/admin/reports'],   // issue #15
	coach: ['/admin/', '/admin/members', '/admin/checkins', '/admin/refunds/pending', '/admin/refunds',
		'/admin/reports'],   // issue #15
	volunteer: ['/admin/', '/admin/members', '/admin/checkins'],
};

for (const [role, pages] of Object.entries(PAGES)) {
	describe(`signed in as ${role}`, () => {
		let s;
		before(async () => { s = await openSession('admin'); await signIn(s, role); });
		after(async () => { await s?.close(); });
		test(`opens every page the ${role} may, each in the admin chrome`, async () => {
			for (const p of pages) {
				await visit(s, `${HTTP}${p}`, { name: `${role}${p.replace(/\//g, '-')}` });
				assert.ok(await s.page.locator('.admin-topbar').isVisible(), `${p} has no top bar`);
			}
			// the menu offers nothing the role may not open
			const links = await s.page.$$eval('.admin-nav a', (as) => as.map((a) => a.getAttribute('href')));
			for (const href of links)
				assert.ok(pages.includes(href), `${role} menu links to ${href}`);
			assertNoProblems(s);
		});
	});
}

describe('camp management in the browser', () => {
	let s;
	before(async () => { s = await openSession('admin'); await signIn(s, 'admin'); addUser('coach'); });
	after(async () => { await s?.close(); });

	test('creates a camp with poster and group QR through the form, then finds it in the H5 list', async () => {
		const { page } = s;
		const name = `E2E 表单营 ${Date.now() % 100000}`;
		await visit(s, `${HTTP}/admin/camps/new`, { name: 'camp-new' });
		const day = (n) => new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
		await page.fill('#name', name);
		await page.setInputFiles('#poster', { name: 'poster.png', mimeType: 'image/png', buffer: PNG });
		await page.fill('#deposit', '99.00');
		await page.fill('#start_date', day(2));
		await page.fill('#end_date', day(22));
		await page.fill('#required_days', '15');
		await page.setInputFiles('#group_qrcode', { name: 'qr.png', mimeType: 'image/png', buffer: PNG });
		await page.selectOption('#coach_ids', { index: 0 });
		await page.fill('#description', '浏览器里创建的训练营');
		await Promise.all([page.waitForURL(/\/admin\/camps\/\d+$/), page.click('form.camp-form button[type=submit]')]);
		await visit(s, page.url(), { name: 'camp-view' });
		assert.match(await page.textContent('h1'), new RegExp(name));
		assert.ok(await page.locator('img.enroll-qr').isVisible());
		const id = page.url().split('/').pop();
		assert.equal(sql(`SELECT count(*) FROM training_camp WHERE id = ${Number(id)} AND poster_sha256 IS NOT NULL
			AND group_qrcode_sha256 IS NOT NULL`), '1');
		const h5 = await openSession('h5');
		try {
			await visit(h5, `${HTTP}/h5/`, { name: 'list-after-create' });
			assert.ok(await h5.page.locator('.camp-card', { hasText: name }).isVisible());
		} finally {
			await h5.close();
		}
		assertNoProblems(s);
	});
});
