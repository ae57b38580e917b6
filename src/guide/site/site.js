/* site.js: the finder of the consultation-window guide (kasane directory build).
 *
 * index.html is the whole guide without this script.  The script only
 * hides and reorders the window articles (#windows > article[data-code])
 * by the lookup rule of src/guide/guide.h, which `kasane directory lookup`
 * applies in C; tests/browser/guide.spec.mjs checks that both give the same
 * order.  Everything it reads is in <script type="application/json"
 * id="guide-data">: no request is made, no holiday is computed here (the
 * closure days come from the C build), and every word it shows comes from
 * there too, so this file is the same for every language.
 *
 * "Open now" reads the device clock (Date.now()) and converts it to Japan
 * time with a fixed +09:00 offset: Japan has no daylight saving time, and a
 * fixed offset does not depend on the time zone data of the browser. */
(function () {
    'use strict';

    var dataEl = document.getElementById('guide-data');
    var form = document.getElementById('finder');
    var list = document.getElementById('windows');
    var statusEl = document.getElementById('status');
    if (!dataEl || !form || !list || !statusEl)
        return;
    var G;
    try {
        G = JSON.parse(dataEl.textContent);
    } catch (e) {
        return; /* the page stays the complete list it is without a script */
    }
    var T = G.text;

    var controls = {
        problem: document.getElementById('problem'),
        age: document.getElementById('age'),
        household: document.getElementById('household'),
        district: document.getElementById('district'),
        openNow: document.getElementById('open-now')
    };

    /* the articles in profile order, as the page was written */
    var original = Array.prototype.slice.call(list.querySelectorAll('article[data-code]'));
    var articles = {};
    original.forEach(function (a) { articles[a.getAttribute('data-code')] = a; });

    var closures = {};
    G.closures.days.forEach(function (c) { closures[c.date] = c; });

    function find(arr, code) {
        for (var i = 0; i < arr.length; i++)
            if (arr[i].code === code)
                return arr[i];
        return null;
    }

    function pad(n, w) {
        var s = String(n);
        while (s.length < w)
            s = '0' + s;
        return s;
    }

    /* Japan time now: UTC+9 all year. weekday 0 = Monday (hours.h). */
    function japanNow() {
        var d = new Date(Date.now() + 9 * 3600 * 1000);
        return {
            date: pad(d.getUTCFullYear(), 4) + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2),
            minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
            weekday: (d.getUTCDay() + 6) % 7
        };
    }

    /* The page knows the closure days of these years only. */
    function dayKnown(at) {
        return G.closures.from !== '' && at.date >= G.closures.from && at.date <= G.closures.to;
    }

    /* ks_hours_open_at: unknown hours are never open; a closure day closes
     * by the holiday policy; otherwise the weekly spans decide. */
    function openAt(record, at) {
        if (!record || !record.hours || record.hours.spans.length === 0 || !dayKnown(at))
            return false;
        var c = closures[at.date];
        if (c) {
            var policy = record.hours.holidays;
            if (policy === 'closed')
                return false;
            if (policy === 'yearend_closed' && c.year_end)
                return false;
        }
        return record.hours.spans.some(function (s) {
            return s[0] === at.weekday && s[1] <= at.minute && at.minute < s[2];
        });
    }

    /* guide.h's ks_guide_lookup, rule for rule. */
    function lookup(q, at) {
        var hits = [];
        G.windows.forEach(function (w, index) {
            var p = find(w.problems, q.problem);
            if (!p)
                return;
            var r = w.record;
            if (r) {
                if (q.age) {
                    /* the age group and [age_min, age_max] overlap; -1 = no bound */
                    if (r.age_max >= 0 && q.age.age_lo > r.age_max)
                        return;
                    if (r.age_min >= 0 && q.age.age_hi >= 0 && q.age.age_hi < r.age_min)
                        return;
                }
                if (q.household && r.households.length > 0 && r.households.indexOf(q.household.id) < 0)
                    return;
                if (q.district && r.districts.length > 0 && r.districts.indexOf(q.district.id) < 0)
                    return;
            }
            if (q.openNow && !openAt(r, at))
                return;
            var matched = 0;
            [[0, q.age], [1, q.household], [2, q.district]].forEach(function (c) {
                if (!c[1])
                    return;
                if (p.attrs.some(function (a) { return a[0] === c[0] && a[1] === c[1].code; }))
                    matched++;
            });
            hits.push({ index: index, window: w, problem: p, matched: matched });
        });
        hits.sort(function (a, b) {
            return b.matched - a.matched || b.problem.band - a.problem.band ||
                b.problem.share - a.problem.share || a.index - b.index;
        });
        return hits;
    }

    function readQuery() {
        return {
            problem: controls.problem.value,
            age: controls.age && controls.age.value ? find(G.age_groups, controls.age.value) : null,
            household: controls.household && controls.household.value ?
                find(G.households, controls.household.value) : null,
            district: controls.district && controls.district.value ?
                find(G.districts, controls.district.value) : null,
            openNow: !!(controls.openNow && controls.openNow.checked)
        };
    }

    function clearFit(article) {
        var old = article.querySelector('.fit');
        if (old)
            old.parentNode.removeChild(old);
        Array.prototype.forEach.call(article.querySelectorAll('tr.chosen'), function (tr) {
            tr.classList.remove('chosen');
        });
    }

    /* One line under the window's name: its evidence for the chosen problem,
     * copied from its own table row (so the words are the page's). */
    function setFit(article, hit) {
        clearFit(article);
        var row = null;
        Array.prototype.forEach.call(article.querySelectorAll('tr[data-problem]'), function (tr) {
            if (tr.getAttribute('data-problem') === hit.problem.code)
                row = tr;
        });
        var label = find(G.problems, hit.problem.code);
        var fit = document.createElement('p');
        fit.className = 'fit';
        var head = document.createElement('strong');
        head.textContent = T.fit.replace('{problem}', label ? label.label : hit.problem.code);
        fit.appendChild(head);
        if (row) {
            row.classList.add('chosen');
            var parts = [];
            for (var i = 1; i < row.cells.length - 1; i++) {
                var text = row.cells[i].textContent.trim();
                if (text && !row.cells[i].querySelector('.none'))
                    parts.push(row.cells[i].getAttribute('data-label') + ': ' + text);
            }
            parts.forEach(function (part) {
                fit.appendChild(document.createElement('br'));
                fit.appendChild(document.createTextNode(part));
            });
        }
        if (hit.matched > 0) {
            fit.appendChild(document.createElement('br'));
            fit.appendChild(document.createTextNode(T.matched));
        }
        var kind = article.querySelector('.kind');
        article.insertBefore(fit, kind ? kind.nextSibling : article.firstChild.nextSibling);
    }

    function showAll() {
        original.forEach(function (a) {
            list.appendChild(a);
            a.hidden = false;
            clearFit(a);
        });
        statusEl.textContent = T.all;
    }

    function run(moveFocus) {
        var q = readQuery();
        if (!q.problem) {
            statusEl.textContent = T.need;
            return;
        }
        var at = japanNow();
        var hits = lookup(q, at);
        var shown = {};
        hits.forEach(function (h) {
            var a = articles[h.window.code];
            if (!a)
                return;
            shown[h.window.code] = true;
            list.appendChild(a);
            a.hidden = false;
            setFit(a, h);
        });
        original.forEach(function (a) {
            if (shown[a.getAttribute('data-code')])
                return;
            list.appendChild(a);
            a.hidden = true;
            clearFit(a);
        });
        var msg = hits.length ? T.found.replace('{n}', String(hits.length)) : T.none;
        if (q.openNow) {
            var time = Math.floor(at.minute / 60) + ':' + pad(at.minute % 60, 2);
            var when = (dayKnown(at) ? T.open_at : T.unknown_day)
                .replace('{date}', at.date).replace('{time}', time);
            msg = when + ' ' + msg;
        }
        statusEl.textContent = msg;
        if (moveFocus) {
            var title = document.getElementById('list-title');
            if (title) {
                /* on a phone the list starts below the form: bring it up */
                title.scrollIntoView({ block: 'start' });
                title.focus({ preventScroll: true });
            }
        }
    }

    form.hidden = false;
    statusEl.textContent = T.all;
    form.addEventListener('submit', function (e) {
        e.preventDefault();
        run(true);
    });
    form.addEventListener('change', function () {
        if (controls.problem.value)
            run(false);
    });
    form.addEventListener('reset', function () {
        /* the controls are reset after this event */
        window.setTimeout(showAll, 0);
    });

    /* "usually works with" may point at a window the choice hid */
    list.addEventListener('click', function (e) {
        var a = e.target.closest ? e.target.closest('a[href^="#w-"]') : null;
        if (!a)
            return;
        var target = document.getElementById(a.getAttribute('href').slice(1));
        if (target && target.hidden) {
            form.reset();
            showAll();
        }
    });

    /* paper gets everything: open every record, restore afterwards */
    var opened = [];
    window.addEventListener('beforeprint', function () {
        opened = [];
        Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'), function (d) {
            d.open = true;
            opened.push(d);
        });
    });
    window.addEventListener('afterprint', function () {
        opened.forEach(function (d) { d.open = false; });
        opened = [];
    });
}());
