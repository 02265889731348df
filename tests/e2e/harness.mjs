// harness.mjs: browser-test helpers: headless Debian Chromium via playwright-core against the test instance.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = process.env.CAMP_ROOT || path.resolve(here, '..', '..');
export const INSTANCE = process.env.CAMP_INSTANCE || 'test';
export const SCREENSHOTS = path.join(here, 'screenshots');

export const H5_VIEWPORT = { width: 390, height: 844 };
export const ADMIN_VIEWPORT = { width: 1366, height: 768 };
export const WECHAT_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) ' +
	'AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
	'MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN';
// issue #16: a phone browser outside WeChat (WeChat Pay H5) and a desktop (Native QR)
export const ANDROID_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 ' +
	'(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36';
export const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ' +
	'(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// The instance's camp.env (written by ./dev), as an object.
export function readEnv() {
	const file = path.join(ROOT, 'var', INSTANCE, 'camp.env');
	const env = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const i = line.indexOf('=');
		if (i > 0 && !line.startsWith('#'))
			env[line.slice(0, i)] = line.slice(i + 1);
	}
	return env;
}

export const ENV = readEnv();
export const HTTP = ENV.CAMP_HTTP_URL;
export const HTTPS = ENV.CAMP_BASE_URL;

// Runs SQL against the instance's database with psql; returns its unaligned output.
export function sql(text) {
	const r = spawnSync('psql', [ENV.CAMP_DB_URL, '-v', 'ON_ERROR_STOP=1', '-qAtX', '-c', text],
		{ encoding: 'utf8' });
	assert.equal(r.status, 0, `psql failed: ${r.stderr}`);
	return r.stdout.trim();
}

// A fresh browser with its own profile directory; kind 'h5' (390×844, WeChat's
// user agent, touch) or 'admin' (1366×768); userAgent and mobile override the
// kind's (issue #16: H5 pages in other browsers). Close it with session.close().
export async function openSession(kind, { weixinBridge = false, userAgent, mobile } = {}) {
	const profile = mkdtempSync(path.join(tmpdir(), 'camp-e2e-'));
	const h5 = kind === 'h5';
	const phone = mobile ?? h5;
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: '/usr/bin/chromium',
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: phone ? H5_VIEWPORT : ADMIN_VIEWPORT,
		userAgent: userAgent ?? (h5 ? WECHAT_UA : undefined),
		isMobile: phone,
		hasTouch: phone,
		deviceScaleFactor: 1,
		locale: 'zh-CN',
		timezoneId: 'Asia/Shanghai',
		// only the dev CA of the instance is behind HTTPS here
		ignoreHTTPSErrors: true,
	});
	if (weixinBridge)
		await injectWeixinBridge(context);
	const problems = [];
	context.on('weberror', (e) => problems.push(`page error: ${e.error().message}`));
	const page = context.pages()[0] || await context.newPage();
	page.on('console', (m) => {
		// also the browser's own requests (favicon) that page events do not show
		if (m.type() === 'error')
			problems.push(`console: ${m.text()}`);
	});
	page.on('response', (r) => {
		if (r.status() >= 400 && r.request().resourceType() !== 'document')
			problems.push(`${r.status()} for ${r.url()}`);
	});
	page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
	return {
		kind, context, page, problems,
		async close() {
			await context.close();
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

// A stand-in for WeChat's in-app JS bridge (test code only): records every
// invoke() and answers a JSAPI payment with success.
export async function injectWeixinBridge(context) {
	await context.addInitScript(() => {
		const calls = [];
		window.__wxInvokes = calls;
		window.WeixinJSBridge = {
			invoke(name, args, cb) {
				calls.push({ name, args });
				const answer = name === 'getBrandWCPayRequest'
					? { err_msg: 'get_brand_wcpay_request:ok' }
					: { err_msg: `${name}:ok` };
				if (typeof cb === 'function')
					setTimeout(() => cb(answer), 0);
			},
			on() {},
			call() {},
		};
		document.addEventListener('DOMContentLoaded', () => {
			document.dispatchEvent(new Event('WeixinJSBridgeReady'));
		});
	});
}

// The invoke() calls the bridge stand-in has recorded in this page.
export function weixinInvokes(page) {
	return page.evaluate(() => window.__wxInvokes || []);
}

// Validates an HTML document with tidy: errors (exit status 2) fail, warnings do not.
export function validateHtml(html, name) {
	const r = spawnSync('tidy', ['-errors', '-q', '-utf8'], { input: html, encoding: 'utf8' });
	assert.ok(r.status === 0 || r.status === 1, `tidy found errors in ${name}:\n${r.stderr}`);
	return r.stderr;
}

function shotName(s) {
	return s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'root';
}

// Opens a page, checks its status, validates its HTML, saves a full-page screenshot
// under tests/e2e/screenshots/ (<kind>-<name>.png) and returns the response.
export async function visit(session, url, { name, status = 200 } = {}) {
	const { page } = session;
	const response = await page.goto(url, { waitUntil: 'load' });
	assert.ok(response, `no response for ${url}`);
	assert.equal(response.status(), status, `${url} answered ${response.status()}`);
	const ct = response.headers()['content-type'] || '';
	if (ct.startsWith('text/html'))
		validateHtml(await response.text(), url);
	await page.evaluate(() => document.fonts.ready);
	mkdirSync(SCREENSHOTS, { recursive: true });
	const file = path.join(SCREENSHOTS,
		`${session.kind}-${shotName(name || new URL(url).pathname)}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return response;
}

// Fails when the page logged errors (a CSP violation, a broken script, a missing file).
export function assertNoProblems(session) {
	assert.deepEqual(session.problems, [], session.problems.join('\n'));
}

// Data only the real paths can make, from tests/e2e/fixtures.py NAME (its last line, JSON).
export function fixture(name) {
	const r = spawnSync('/usr/bin/python3', [path.join(here, 'fixtures.py'), name],
		{ env: { ...process.env, CAMP_ROOT: ROOT }, encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return JSON.parse(r.stdout.trim().split('\n').pop());
}

// Signs the session in as a fresh user of that role, made with campctl as operators do.
export async function signInFresh(s, role, prefix = 'e2e_staff') {
	sql(`DELETE FROM login_attempt WHERE NOT success`);
	const name = `${prefix}_${Math.random().toString(36).slice(2, 8)}`;
	const pw = `pw-${Math.random().toString(36).slice(2)}-x`;
	const dir = mkdtempSync(path.join(tmpdir(), 'camp-pw-'));
	writeFileSync(path.join(dir, 'pw'), `${pw}\n`);
	const r = spawnSync(`${ENV.CAMP_RUNTIME_DIR}/app/bin/campctl`,
		['user', 'add', name, '--role', role, '--password-file', path.join(dir, 'pw')],
		{ env: { ...process.env, ...ENV }, encoding: 'utf8' });
	rmSync(dir, { recursive: true, force: true });
	assert.equal(r.status, 0, r.stderr);
	await s.page.goto(`${HTTP}/admin/login`);
	await s.page.fill('#username', name);
	await s.page.fill('#password', pw);
	await Promise.all([s.page.waitForURL(/\/admin\/$/), s.page.click('button[type=submit]')]);
	return name;
}
