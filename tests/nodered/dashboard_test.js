// Browser half of nodered_dashboard (run by run.sh, which starts the node, the simulators and
// Node-RED). It reads the facility from the node's B/node/info, so "every pair" means every
// pair the node has; the steps that press buttons use pairs of tests/nodered/facility.yaml.
// Environment: DASHBOARD_URL, ROUTER_CONTROL_PORT (videohub-sim control channel), MQTT_PORT,
// FAILOVER_BASE, CHROMIUM, SCREENSHOT, PROFILE_DIR. Exits 0 on success, 1 with the reason.
'use strict';
const net = require('net');
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { chromium } = require('playwright-core');

const url = process.env.DASHBOARD_URL;
const controlPort = Number(process.env.ROUTER_CONTROL_PORT);
const started = Date.now();
const log = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);

// One command on the simulator's control channel; resolves with its answer line.
function control(command) {
    return new Promise((resolve, reject) => {
        const socket = net.connect(controlPort, '127.0.0.1');
        let buffer = '';
        const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer to '${command}'`)); }, 3000);
        socket.on('connect', () => socket.write(command + '\n'));
        socket.on('data', (data) => {
            buffer += data.toString();
            const end = buffer.indexOf('\n');
            if (end >= 0) {
                clearTimeout(timer);
                socket.end();
                resolve(buffer.slice(0, end).trim());
            }
        });
        socket.on('error', (error) => { clearTimeout(timer); reject(error); });
    });
}

// Output -> input (1-based) from `status`: "ok inputs=40 outputs=40 clients=1 routes=1:1,2:1,...".
async function routes() {
    const answer = await control('status');
    const match = / routes=(\S+)/.exec(answer);
    if (!answer.startsWith('ok') || !match) throw new Error(`unexpected status answer: ${answer}`);
    const map = {};
    for (const item of match[1].split(',')) {
        const [out, input] = item.split(':').map(Number);
        map[out] = input;
    }
    return map;
}

const BASE = process.env.FAILOVER_BASE || 'failover/studio';
const mqttArgs = () => ['-h', '127.0.0.1', '-p', String(process.env.MQTT_PORT)];

// A health fault for render-sim, or a message the test plays itself, through the broker.
function publish(topic, message, { retain = false } = {}) {
    const args = [...mqttArgs(), '-q', '1', '-t', topic, ...(retain ? ['-r'] : [])];
    args.push(...(message === '' ? ['-n'] : ['-m', message]));
    const result = spawnSync('mosquitto_pub', args, { timeout: 5000, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mosquitto_pub failed: ${result.stderr || result.error}`);
}

// The node's retained description of its facility (B/node/info).
function nodeInfo() {
    const result = spawnSync('mosquitto_sub', [...mqttArgs(), '-t', BASE + '/node/info', '-C', '1', '-W', '10'],
        { timeout: 15000, encoding: 'utf8' });
    if (result.status !== 0 || !result.stdout.trim()) throw new Error(`no ${BASE}/node/info: ${result.stderr}`);
    return JSON.parse(result.stdout);
}

// Every message on the given topics, as {topic, text}, from the moment they are subscribed.
function watch(topics) {
    // Line-buffered, so the SUBACK debug line arrives before any message.
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', ...mqttArgs(), '-d', '-v', '-q', '1',
        ...topics.flatMap((t) => ['-t', t])], { stdio: ['ignore', 'pipe', 'inherit'] });
    const seen = [];
    let buffer = '';
    const subscribed = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('mosquitto_sub did not subscribe')), 5000);
        sub.stdout.on('data', (data) => {
            buffer += data.toString();
            let end;
            while ((end = buffer.indexOf('\n')) >= 0) {
                const line = buffer.slice(0, end);
                buffer = buffer.slice(end + 1);
                if (line.includes('SUBACK')) { clearTimeout(timer); resolve(); }
                if (line.startsWith(BASE + '/')) {
                    const space = line.indexOf(' ');
                    seen.push({ topic: line.slice(0, space), text: line.slice(space + 1) });
                }
            }
        });
    });
    process.on('exit', () => sub.kill());
    return { seen, subscribed };
}

async function until(what, test, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = test();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

// The routing a switch of `pair` to its Backup must give: every output of every signal on the
// Backup's input for that signal; every other output as it was.
function routingAfterSwitch(info, pairId, before) {
    const pair = info.facility.pairs.find((p) => p.id === pairId);
    const backup = info.facility.machines.find((m) => m.id === pair.backup);
    const expected = { ...before };
    for (const s of pair.signals) for (const out of s.outputs) expected[out] = backup.inputs[s.signal];
    return expected;
}
function sameRouting(seen, expected) {
    return Object.keys(expected).every((out) => seen[out] === expected[out]);
}
function diff(seen, expected) {
    return Object.keys(expected).filter((out) => seen[out] !== expected[out])
        .map((out) => `out ${out}: ${seen[out]} (expected ${expected[out]})`).join(', ');
}

async function main() {
    if (!url || !controlPort) throw new Error('DASHBOARD_URL and ROUTER_CONTROL_PORT must be set');
    const commands = watch([BASE + '/pair/+/set/#', BASE + '/pair/+/request/#']);
    const events = watch([BASE + '/pair/+/event', BASE + '/pair/+/audit']);
    const routerTopics = watch([BASE + '/router/+/set/enabled', BASE + '/router/+/state']);
    await Promise.all([commands.subscribed, events.subscribed, routerTopics.subscribed]);

    // The facility as the node describes it: what the page must show, whatever the pairs are.
    const info = nodeInfo();
    const pairs = info.facility.pairs;
    const machines = Object.fromEntries(info.facility.machines.map((m) => [m.id, m]));
    if (pairs.length < 5) throw new Error(`the test facility has ${pairs.length} pairs, expected at least 5`);
    const fillKey = pairs.find((p) => p.signals.map((s) => s.signal).join('+') === 'fill+key');
    const shared = pairs.filter((p) => pairs.some((o) => o !== p && o.backup === p.backup));
    if (!fillKey || fillKey.id !== 'ar') throw new Error('the test facility has no fill+key pair "ar"');
    if (shared.map((p) => p.id).join(' ') !== 'news sport') throw new Error('news and sport should share a Backup');
    log(`node info: ${pairs.length} pairs (${pairs.map((p) => p.id).join(', ')})`);

    // The router starts with every Main on air.
    const before = await routes();
    for (const p of pairs) {
        for (const s of p.signals) {
            for (const out of s.outputs) {
                if (before[out] !== machines[p.main].inputs[s.signal]) throw new Error(`${p.id}: output ${out} does not start on ${p.main}: ${JSON.stringify(before)}`);
            }
        }
    }

    const context = await chromium.launchPersistentContext(process.env.PROFILE_DIR, {
        executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        timeout: 20000,
    });
    const page = context.pages()[0] || await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    const card = (id) => page.locator(`[data-pair="${id}"]`);
    try {
        log(`opening ${url}`);
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 20000 });

        // 1. Every pair, each with its Main on air, its machines and its signals.
        for (const p of pairs) {
            await page.locator(`[data-pair="${p.id}"][data-active="${p.main}"]`).waitFor({ timeout: p === pairs[0] ? 30000 : 10000 });
            const main = card(p.id).locator(`[data-machine="${p.main}"]`);
            if (!(await main.getAttribute('class')).includes('fo-active')) throw new Error(`${p.main} is not highlighted`);
            await card(p.id).locator(`[data-machine="${p.backup}"]`).waitFor({ timeout: 5000 });
            for (const m of [p.main, p.backup]) {
                await card(p.id).locator(`[data-machine="${m}"] .fo-name`, { hasText: machines[m].label }).waitFor({ timeout: 5000 });
                for (const check of ['status', 'engine', 'videoio', 'network', 'diagnostics']) {
                    await card(p.id).locator(`[data-machine="${m}"] [data-check="${check}"]`).waitFor({ timeout: 5000 });
                }
            }
            const rows = card(p.id).locator('[data-signal]');
            if (await rows.count() !== p.signals.length) throw new Error(`${p.id} shows ${await rows.count()} signals, expected ${p.signals.length}`);
            for (const s of p.signals) {
                const text = `${s.signal} → out ${s.outputs.join(', ')} in ${machines[p.main].inputs[s.signal]} (${machines[p.main].label})`;
                const shown = (await card(p.id).locator(`[data-signal="${s.signal}"]`).innerText()).replace(/\s+/g, ' ').trim();
                if (shown !== text) throw new Error(`${p.id} signal row reads "${shown}", expected "${text}"`);
            }
        }
        const cards = await page.locator('[data-pair]').count();
        if (cards !== pairs.length) throw new Error(`the page shows ${cards} pairs, the node has ${pairs.length}`);
        await card('news').locator('.fo-detail', { hasText: 'also the Backup of sport' }).waitFor({ timeout: 5000 });
        log('every pair shown with its Main on air, machines, checks and signals (ar: fill → out 1, 7 / key → out 2)');

        // 2. Switch on the fill+key pair: exactly its three outputs move, each to the Backup's
        //    input for its signal.
        await card('ar').locator('[data-machine="ar-backup"] .fo-status.fo-ok').waitFor({ timeout: 10000 });
        await page.locator('[data-pair="ar"][data-advised="false"]').waitFor({ timeout: 10000 });
        await page.locator('[data-testid="switch-ar"]').click();
        log('clicked Switch on ar');
        const afterAr = routingAfterSwitch(info, 'ar', before);
        let seen = await routes();
        const deadline = Date.now() + 10000;
        while (!sameRouting(seen, afterAr) && Date.now() < deadline) {
            await page.waitForTimeout(50); // polling the router's own state
            seen = await routes();
        }
        if (!sameRouting(seen, afterAr)) throw new Error(`router after Switch on ar: ${diff(seen, afterAr)}`);
        if (afterAr[1] !== 3 || afterAr[7] !== 3 || afterAr[2] !== 4) throw new Error(`unexpected target routing ${JSON.stringify(afterAr)}`);
        log('router: outputs 1 and 7 on input 3 (fill), 2 on input 4 (key); no other output moved');

        await page.locator('[data-pair="ar"][data-active="ar-backup"]').waitFor({ timeout: 10000 });
        await card('ar').locator('[data-signal="fill"]', { hasText: 'in 3 (AR Backup)' }).waitFor({ timeout: 5000 });
        await card('ar').locator('[data-signal="key"]', { hasText: 'in 4 (AR Backup)' }).waitFor({ timeout: 5000 });
        await card('ar').locator('.fo-reply.fo-ok', { hasText: 'Switched to ar-backup' }).waitFor({ timeout: 10000 });
        await page.locator('tr', { hasText: 'manual_switch' }).filter({ hasText: 'ar-backup' }).filter({ hasText: 'node-red' }).first().waitFor({ timeout: 10000 });
        const arEvent = await until('the switch event of ar', () => events.seen.find((e) => e.topic === BASE + '/pair/ar/event'), 5000);
        const arBody = JSON.parse(arEvent.text);
        if (arBody.event_type !== 'manual_switch' || arBody.to !== 'ar-backup' || arBody.requested_by !== 'node-red' || !/^nodered-ar-/.test(arBody.transaction || '')) {
            throw new Error(`unexpected switch event: ${arEvent.text}`);
        }
        log('page: ar-backup on air with both signals, answer shown, log row; the node\'s event says requested_by node-red');

        // 3. Switch on news, whose Backup also serves sport: only output 4 moves, and sport
        //    says its Backup is busy.
        await page.locator('[data-testid="switch-news"]').click();
        const afterNews = routingAfterSwitch(info, 'news', afterAr);
        seen = await routes();
        const newsDeadline = Date.now() + 10000;
        while (!sameRouting(seen, afterNews) && Date.now() < newsDeadline) {
            await page.waitForTimeout(50);
            seen = await routes();
        }
        if (!sameRouting(seen, afterNews)) throw new Error(`router after Switch on news: ${diff(seen, afterNews)}`);
        await page.locator('[data-pair="news"][data-active="spare"]').waitFor({ timeout: 10000 });
        await page.locator('[data-pair="sport"][data-active="sport-main"] [data-warning="backup_busy"]').waitFor({ timeout: 10000 });
        log('news: output 4 on input 9 (spare), nothing else moved; sport warns that spare is busy');

        // 4. weather to manual with its toggle, then a fault on weather-main: the node only
        //    advises, and the panel makes that pair's Switch button prominent.
        await page.locator('[data-testid="mode-weather"]').click();
        await page.locator('[data-pair="weather"][data-mode="manual"]').waitFor({ timeout: 10000 });
        publish('render-sim/all/fault', 'fail engine weather-main');
        await page.locator('[data-pair="weather"][data-advised="true"][data-active="weather-main"]').waitFor({ timeout: 10000 });
        await page.locator('[data-testid="switch-weather"].fo-advised').waitFor({ timeout: 5000 });
        await card('weather').locator('[data-machine="weather-main"] .fo-chip.fo-fail', { hasText: 'engine' }).waitFor({ timeout: 5000 });
        seen = await routes();
        if (!sameRouting(seen, afterNews)) throw new Error(`weather switched in manual mode: ${diff(seen, afterNews)}`);
        log('weather: engine fail shown, switch advised and prominent, routing unchanged');

        // 5. esports (disarmed in its configuration) armed from its toggle.
        await page.locator('[data-pair="esports"][data-armed="false"]').waitFor({ timeout: 5000 });
        await page.locator('[data-testid="armed-esports"]').click();
        await page.locator('[data-pair="esports"][data-armed="true"]').waitFor({ timeout: 10000 });
        log('esports armed from its toggle');

        const shot = process.env.SCREENSHOT;
        if (shot) {
            fs.mkdirSync(path.dirname(shot), { recursive: true });
            await page.waitForTimeout(300); // let the toggles' transitions finish before the picture
            await page.screenshot({ path: shot, fullPage: true });
            log(`screenshot ${shot}`);
        }

        // 6. The panel published exactly what the operator asked for, each naming who asked:
        //    no echo of a toggle's displayed value, no repeated switch.
        await until('four commands', () => commands.seen.length >= 4, 2000).catch(() => {});
        await page.waitForTimeout(200);
        const sent = commands.seen.map((c) => `${c.topic.slice(BASE.length + 1)} ${c.text}`);
        const json = commands.seen.map((c) => { try { return JSON.parse(c.text); } catch { return {}; } });
        const ok = sent.length === 4 &&
            commands.seen[0].topic === BASE + '/pair/ar/request/switch' && json[0].target === 'ar-backup' &&
            json[0].transaction === arBody.transaction &&
            commands.seen[1].topic === BASE + '/pair/news/request/switch' && json[1].target === 'spare' &&
            /^nodered-news-/.test(json[1].transaction || '') &&
            sent[2] === 'pair/weather/set {"mode":"manual","requested_by":"node-red"}' &&
            sent[3] === 'pair/esports/set {"armed":true,"requested_by":"node-red"}' &&
            json.every((j) => j.requested_by === 'node-red');
        if (!ok) throw new Error(`unexpected commands from the panel:\n${sent.join('\n')}`);
        const audit = await until('the audit of weather\'s mode', () => events.seen.find((e) => e.topic === BASE + '/pair/weather/audit'), 5000);
        if (JSON.parse(audit.text).requested_by !== 'node-red') throw new Error(`unexpected audit: ${audit.text}`);
        log('commands: two request/switch with transactions, one mode and one arm, all with requested_by node-red (and the node reports it)');

        // 7. The router's toggle: off, the node lets go of vh1 (its state says disabled, it holds
        //    no connection, the pairs on it warn router_disabled); on again, it reconnects.
        const routerState = (from, match) => until('a vh1 state that matches', () => routerTopics.seen.slice(from)
            .filter((e) => e.topic === BASE + '/router/vh1/state').map((e) => JSON.parse(e.text)).find(match), 10000);
        await page.locator('[data-router="vh1"][data-enabled="true"][data-router-state="ready"]').waitFor({ timeout: 5000 });
        let from = routerTopics.seen.length;
        await page.locator('[data-testid="router-vh1"]').click();
        await routerState(from, (r) => r.enabled === false && r.connected === false && r.state === 'disabled');
        await page.locator('[data-router="vh1"][data-enabled="false"][data-router-state="disabled"]').waitFor({ timeout: 5000 });
        await card('ar').locator('[data-warning="router_disabled"]').waitFor({ timeout: 5000 });
        const letGo = Date.now() + 5000;
        while (await control('clients') !== 'ok 0') {
            if (Date.now() > letGo) throw new Error('the node still holds a connection to the disabled router');
            await page.waitForTimeout(50); // polling the router's own count
        }
        from = routerTopics.seen.length;
        await page.locator('[data-testid="router-vh1"]').click();
        await routerState(from, (r) => r.enabled === true && r.connected === true && r.state === 'ready');
        await page.locator('[data-router="vh1"][data-enabled="true"][data-router-state="ready"]').waitFor({ timeout: 5000 });
        await card('ar').locator('[data-warning="router_disabled"]').waitFor({ state: 'detached', timeout: 5000 });
        const toggles = routerTopics.seen.filter((e) => e.topic === BASE + '/router/vh1/set/enabled').map((e) => e.text);
        if (toggles.join(' ') !== '{"enabled":false,"requested_by":"node-red"} {"enabled":true,"requested_by":"node-red"}') {
            throw new Error(`unexpected router commands from the panel: ${toggles.join(' ')}`);
        }
        log('router vh1 disabled from its toggle (state disabled, no connection, pairs warn) and enabled again');

        // 8. The node's LWT says offline: the page warns that every state may be old.
        publish(BASE + '/node/state', 'offline');
        await page.locator('[data-role="node-offline"]').waitFor({ timeout: 5000 });
        await page.waitForFunction((n) => document.querySelectorAll('[data-pair][data-stale="true"]').length === n,
            pairs.length, { timeout: 5000 });
        publish(BASE + '/node/state', 'online');
        await page.locator('[data-role="node-offline"]').waitFor({ state: 'detached', timeout: 5000 });
        log('node offline shown over every pair, and cleared again');

        // 9. Pairs disappear with the configuration: a cleared retained state removes its pair,
        //    and so does a B/node/info that no longer lists it (played here as the node would
        //    publish them after a configuration change).
        publish(BASE + '/pair/esports/state', '', { retain: true });
        await card('esports').waitFor({ state: 'detached', timeout: 5000 });
        const smaller = { ...info, pairs: info.pairs.filter((id) => id !== 'studio-b'),
            facility: { ...info.facility, pairs: pairs.filter((p) => p.id !== 'studio-b') } };
        publish(BASE + '/node/info', JSON.stringify(smaller), { retain: true });
        await card('studio-b').waitFor({ state: 'detached', timeout: 5000 });
        const left = await page.locator('[data-pair]').evaluateAll((els) => els.map((e) => e.dataset.pair));
        if (left.join(' ') !== 'ar news sport weather') throw new Error(`pairs left on the page: ${left.join(' ')}`);
        log('a cleared state and a node info without a pair each remove that pair; the others stay');

        // 10. Cluster mode: the topics the nodes of cluster "studio" publish under the same base
        //     (played here: fo1 in charge, fo2 standing by, then fo1 silent and fo2 taking over).
        //     The panel names the nodes, their roles and who is in charge, logs the takeover,
        //     and does not call the facility offline while one node is online.
        for (const [topic, text] of [['nodes/fo1/state', 'online'], ['nodes/fo2/state', 'online'],
            ['nodes/fo1/role', 'active'], ['nodes/fo2/role', 'standby'], ['cluster/active', 'fo1']]) {
            publish(BASE + '/' + topic, text, { retain: true });
        }
        await page.locator('[data-role="cluster"][data-in-charge="fo1"]').waitFor({ timeout: 5000 });
        await page.locator('[data-node="fo1"][data-node-role="active"][data-online="true"]').waitFor({ timeout: 5000 });
        await page.locator('[data-node="fo2"][data-node-role="standby"][data-online="true"]').waitFor({ timeout: 5000 });
        publish(BASE + '/nodes/fo1/state', 'offline', { retain: true });
        publish(BASE + '/cluster/event', JSON.stringify({ event_type: 'takeover', from: 'fo1', to: 'fo2',
            reason: 'active_silent', term: 2, takeover_ms: 612, ts: new Date().toISOString() }));
        publish(BASE + '/nodes/fo2/role', 'active', { retain: true });
        publish(BASE + '/cluster/active', 'fo2', { retain: true });
        await page.locator('[data-role="cluster"][data-in-charge="fo2"]').waitFor({ timeout: 5000 });
        await page.locator('[data-node="fo1"][data-online="false"]').waitFor({ timeout: 5000 });
        await page.locator('[data-node="fo2"][data-node-role="active"]').waitFor({ timeout: 5000 });
        await page.locator('tr', { hasText: 'takeover' }).filter({ hasText: 'active_silent' })
            .filter({ hasText: 'fo2' }).first().waitFor({ timeout: 5000 });
        if (await page.locator('[data-role="node-offline"]').count() !== 0) {
            throw new Error('the panel calls the facility offline while fo2 is online');
        }
        if (process.env.SCREENSHOT) {
            const shot = process.env.SCREENSHOT.replace(/\.png$/, '') + '-cluster.png';
            await page.screenshot({ path: shot, fullPage: true });
            log(`screenshot ${shot}`);
        }
        log('cluster: fo1 in charge and fo2 standing by, then the takeover to fo2 in the log; not offline while fo2 is online');
    } catch (error) {
        const shot = (process.env.SCREENSHOT || path.join(process.env.PROFILE_DIR, 'page.png')).replace(/\.png$/, '') + '-failed.png';
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        console.error(`page text:\n${(await page.locator('body').innerText().catch(() => '')).slice(0, 4000)}`);
        if (pageErrors.length) console.error(`page errors:\n${pageErrors.join('\n')}`);
        console.error(`screenshot of the failure: ${shot}`);
        throw error;
    } finally {
        await context.close();
    }
    if (pageErrors.length) log(`page reported (not fatal):\n${pageErrors.join('\n')}`);
}

const guard = setTimeout(() => { console.error('nodered_dashboard: FAIL: browser part took over 90 s'); process.exit(1); }, 90000);
main().then(() => { clearTimeout(guard); log('PASS'); process.exit(0); },
    (error) => { console.error(`nodered_dashboard: FAIL: ${error.message}`); process.exit(1); });
