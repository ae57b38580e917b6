// guide.spec.mjs: the consultation-window guide in a real browser (issue 13).
//
// Run by plain node (no test runner), usually from
// tests/cli/t4030-directory-browser.sh:
//   KASANE=path/to/kasane DB=demo.db node tests/browser/guide.spec.mjs
// Environment:
//   KASANE          the kasane binary (required)
//   DB              the database the site and the lookups are built from (required)
//   SITE_DIR        a site already written by `kasane directory build`
//                   (default: built here into the scratch directory)
//   CHROMIUM        the browser (default /usr/bin/chromium; Debian's package)
//   SCREENSHOT_DIR  where the screenshots go (default: the scratch directory)
//   WORK_DIR        the scratch directory (default: a fresh one under $TMPDIR)
// Exit status: 0 passed, 1 failed, 77 skipped (`kasane directory` not there yet,
// or no browser).
//
// What it checks, against `kasane directory lookup --format tsv` (the C
// implementation of guide.h's lookup rule; its first column is `code`):
//  1. for every problem of the form, with no attribute, with each of two age
//     groups, and with a household and a district, the page shows exactly
//     the windows the terminal prints, in the same order;
//  2. "open now" on a fixed clock (page.clock.setFixedTime, playwright-core
//     >= 1.45) on a holiday, Monday 2027-01-11 10:00 JST (成人の日), and on
//     the next weekday, Tuesday 2027-01-12 10:00 JST, against
//     `lookup --open-now --at 2027-01-11T10:00`;
//  3. with JavaScript disabled, every window of the data is listed in full
//     (name, what they do or 'no record', contact and hours rows, the
//     evidence), and the print stylesheet shows the evidence of closed
//     <details>;
//  4. no request leaves file:// (nothing fetched), every control has a label;
//  5. screenshots at 1280 and 390 pixels wide, and a printed PDF.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const SKIP = 77;
const kasane = process.env.KASANE;
const db = process.env.DB;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const work = process.env.WORK_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'kasane-guide-'));
const shots = process.env.SCREENSHOT_DIR || work;

let failures = 0;
let checks = 0;
function check(cond, what) {
    checks++;
    if (!cond) {
        failures++;
        console.error(`FAIL: ${what}`);
    }
}
function same(got, want, what) {
    const g = JSON.stringify(got), w = JSON.stringify(want);
    check(g === w, `${what}: page ${g}, terminal ${w}`);
}

if (!kasane || !db) {
    console.error('guide.spec.mjs: KASANE and DB must be set');
    process.exit(2);
}
if (!fs.existsSync(chromiumPath)) {
    console.log(`SKIP guide.spec: no browser at ${chromiumPath} (Debian package chromium)`);
    process.exit(SKIP);
}

function run(args) {
    const r = spawnSync(kasane, args, { encoding: 'utf8', env: process.env });
    return { status: r.status, out: r.stdout || '', err: r.stderr || '' };
}

const probe = run(['directory', '--help']);
if (/is not a kasane command/.test(probe.err)) {
    console.log('SKIP guide.spec: this kasane has no `directory` command yet');
    process.exit(SKIP);
}

let site = process.env.SITE_DIR;
if (!site) {
    site = path.join(work, 'site');
    const b = run(['directory', 'build', '--db', db, '--out', site]);
    if (b.status !== 0) {
        console.error(`FAIL: kasane directory build exited ${b.status}: ${b.err}`);
        process.exit(1);
    }
}
const indexUrl = pathToFileURL(path.join(site, 'index.html')).href;
fs.mkdirSync(shots, { recursive: true });

// The terminal's answer: the first column (`code`) of the TSV, header skipped.
function lookup(opts) {
    const args = ['directory', 'lookup', '--db', db, '--problem', opts.problem, '--format', 'tsv'];
    if (process.env.PROFILE) args.push('--profile', process.env.PROFILE);
    if (opts.age) args.push('--age', opts.age);
    if (opts.household) args.push('--household', opts.household);
    if (opts.district) args.push('--district', opts.district);
    if (opts.at) args.push('--open-now', '--at', opts.at);
    const r = run(args);
    if (r.status !== 0) {
        check(false, `kasane ${args.join(' ')} exited ${r.status}: ${r.err.trim()}`);
        return null;
    }
    const lines = r.out.split('\n').filter((l) => l !== '');
    if (lines.length && lines[0].split('\t')[0] === 'code') lines.shift();
    return lines.map((l) => l.split('\t')[0]);
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });

// Every request must stay on file://: the site fetches nothing.
function watch(page, label) {
    page.on('request', (req) => {
        check(req.url().startsWith('file:') || req.url().startsWith('data:'),
            `${label}: the page requested ${req.url()}`);
    });
    page.on('pageerror', (e) => check(false, `${label}: script error ${e.message}`));
}

async function shownCodes(page) {
    return page.$$eval('#windows > article[data-code]:not([hidden])', (as) => as.map((a) => a.dataset.code));
}

async function choose(page, q) {
    await page.selectOption('#problem', q.problem);
    await page.selectOption('#age', q.age || '');
    await page.selectOption('#household', q.household || '');
    if (await page.$('#district')) await page.selectOption('#district', q.district || '');
    await page.setChecked('#open-now', !!q.openNow);
    await page.click('#finder button[type=submit]');
}

try {
    // ---- 1. the lookup, page against terminal ----
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await desk.newPage();
    watch(page, 'desktop');
    await page.goto(indexUrl);
    const data = JSON.parse(await page.textContent('#guide-data'));
    const problems = await page.$$eval('#problem option', (os) => os.map((o) => o.value).filter((v) => v));
    const ages = await page.$$eval('#age option', (os) => os.map((o) => o.value).filter((v) => v));
    const households = await page.$$eval('#household option', (os) => os.map((o) => o.value).filter((v) => v));
    const districts = await page.$$eval('#district option', (os) => os.map((o) => o.value).filter((v) => v));
    check(problems.length > 0, 'the form offers problems');
    check(await page.isVisible('#finder'), 'the form is shown when JavaScript runs');

    // every control has a <label for>
    const unlabelled = await page.$$eval('select, input', (cs) =>
        cs.filter((c) => !document.querySelector(`label[for="${c.id}"]`)).map((c) => c.id || c.name));
    same(unlabelled, [], 'controls without a label');

    const pickAges = [ages.find((a) => a === '40-64') || ages[0], ages[ages.length - 1]];
    let nonEmpty = 0;
    for (const problem of problems) {
        for (const age of [undefined, ...pickAges]) {
            const q = { problem, age };
            await choose(page, q);
            const want = lookup(q);
            if (want === null) continue;
            if (want.length) nonEmpty++;
            same(await shownCodes(page), want, `--problem ${problem}${age ? ' --age ' + age : ''}`);
        }
    }
    check(nonEmpty > 0, 'some choice finds windows');
    // all three attributes at once
    for (const problem of problems.slice(0, 3)) {
        const q = { problem, age: pickAges[0], household: households[0], district: districts[0] };
        await choose(page, q);
        const want = lookup(q);
        if (want !== null)
            same(await shownCodes(page), want, `--problem ${problem} --age ${q.age} --household ${q.household} --district ${q.district}`);
    }

    // the screenshots of a search (the problem with most windows, an age group)
    let best = problems[0], bestN = -1;
    for (const p of problems) {
        const n = data.windows.filter((w) => w.problems.some((x) => x.code === p)).length;
        if (n > bestN) { best = p; bestN = n; }
    }
    await choose(page, { problem: best, age: pickAges[0] });
    await page.screenshot({ path: path.join(shots, 'guide-desktop-search.png'), fullPage: false });
    await page.click('#finder button[type=reset]');
    await page.waitForFunction(() => document.querySelectorAll('#windows > article[hidden]').length === 0);
    same((await shownCodes(page)).length, data.windows.length, '"show all" shows every window again');
    await page.screenshot({ path: path.join(shots, 'guide-desktop.png'), fullPage: false });
    await page.screenshot({ path: path.join(shots, 'guide-desktop-full.png'), fullPage: true });
    await desk.close();

    // ---- 2. open now, on a fixed clock ----
    let openWeekday = 0, openHoliday = 0;
    const withHours = data.windows.filter((w) => w.record && w.record.hours).length;
    for (const [label, iso, at] of [
        ['holiday 2027-01-11 (成人の日)', '2027-01-11T10:00:00+09:00', '2027-01-11T10:00'],
        ['weekday 2027-01-12', '2027-01-12T10:00:00+09:00', '2027-01-12T10:00'],
    ]) {
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const p = await ctx.newPage();
        watch(p, label);
        await p.clock.setFixedTime(new Date(iso));
        await p.goto(indexUrl);
        let found = 0;
        for (const problem of problems) {
            const q = { problem, openNow: true, at };
            await choose(p, q);
            const want = lookup(q);
            if (want === null) continue;
            found += want.length;
            same(await shownCodes(p), want, `--problem ${problem} --open-now --at ${at}`);
        }
        console.log(`# open now, ${label}: ${found} window(s) over all problems; ${withHours} window(s) have hours`);
        // the test profile gives seven windows hours: the weekday must find
        // some open, and the holiday fewer (most close on holidays)
        if (label.startsWith('weekday')) openWeekday = found; else openHoliday = found;
        const status = await p.textContent('#status');
        check(status.includes('2027-01-1'), `${label}: the status names the day (${status})`);
        await ctx.close();
    }

    if (process.env.PROFILE) {
        check(withHours >= 5, `the test profile's windows have hours (${withHours})`);
        check(openWeekday > 0, `windows open on a weekday at 10:00 (${openWeekday})`);
        check(openHoliday < openWeekday, `fewer open on 成人の日 than on a weekday (${openHoliday} vs ${openWeekday})`);
    }

    // ---- 3. without JavaScript: every window in full ----
    const nojs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const np = await nojs.newPage();
    watch(np, 'no JavaScript');
    await np.goto(indexUrl);
    check(!(await np.isVisible('#finder')), 'without JavaScript the form that could do nothing is hidden');
    const listed = await np.$$eval('#windows > article[data-code]', (as) => as.map((a) => ({
        code: a.dataset.code,
        visible: !!(a.offsetWidth || a.offsetHeight),
        name: (a.querySelector('h3') || {}).textContent || '',
        hasBody: !!a.querySelector('dl.facts-list') || !!a.querySelector('.norecord'),
        contact: !a.querySelector('dl.facts-list') || a.querySelectorAll('dl.sub dt').length >= 2,
        evidence: !!a.querySelector('details.evidence'),
    })));
    same(listed.map((w) => w.code), data.windows.map((w) => w.code), 'without JavaScript: every window, in profile order');
    for (const w of listed) {
        check(w.visible && w.name.trim() !== '' && w.hasBody && w.contact && w.evidence,
            `without JavaScript: window ${w.code} listed in full`);
    }
    // paper: the evidence inside closed <details> is printed
    await np.emulateMedia({ media: 'print' });
    const firstTable = await np.$('#windows details.evidence table');
    if (firstTable) check(await firstTable.isVisible(), 'print shows the evidence tables without opening them');
    check(!(await np.isVisible('.finder')), 'print leaves the form out');
    await np.emulateMedia({ media: 'screen' });
    await nojs.close();

    // ---- 4. phone width ----
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const pp = await phone.newPage();
    watch(pp, 'phone');
    await pp.goto(indexUrl);
    const overflow = await pp.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check(overflow <= 0, `phone: no sideways scrolling (${overflow}px too wide)`);
    await pp.screenshot({ path: path.join(shots, 'guide-phone.png') });
    await choose(pp, { problem: best, age: pickAges[0] });
    await pp.screenshot({ path: path.join(shots, 'guide-phone-search.png') });
    await pp.goto(indexUrl);
    await pp.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    await pp.screenshot({ path: path.join(shots, 'guide-phone-full.png'), fullPage: true });
    await phone.close();

    // how.html and the printed guide
    const hp = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watch(hp, 'how.html');
    await hp.goto(pathToFileURL(path.join(site, 'how.html')).href);
    check((await hp.textContent('h1')).trim() !== '', 'how.html has a title');
    await hp.screenshot({ path: path.join(shots, 'guide-how.png'), fullPage: true });
    await hp.goto(indexUrl);
    await hp.pdf({ path: path.join(shots, 'guide-print.pdf'), format: 'A4' });
    await hp.close();
} catch (e) {
    check(false, `unexpected: ${e.stack || e}`);
} finally {
    await browser.close();
}

console.log(`# screenshots in ${shots}`);
console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
