// Browser half of nodered_dashboard (run by run.sh, which starts the lab and Node-RED).
// Environment: DASHBOARD_URL, ROUTER_CONTROL_PORT (videohub-sim control channel), CHROMIUM,
// SCREENSHOT, PROFILE_DIR. Exits 0 on success, 1 with the reason on failure.
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

async function waitForRoutes(expected, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let seen = {};
    while (Date.now() < deadline) {
        seen = await routes();
        if (Object.entries(expected).every(([out, input]) => seen[out] === input)) return seen;
        await new Promise((resolve) => setTimeout(resolve, 50)); // polling the router's own state
    }
    throw new Error(`router routing is ${JSON.stringify(seen)}, expected ${JSON.stringify(expected)}`);
}

// A health fault for render-sim, through the broker like any other client.
function publish(topic, message) {
    const result = spawnSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(process.env.MQTT_PORT), '-q', '1',
        '-t', topic, '-m', message], { timeout: 5000, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`mosquitto_pub failed: ${result.stderr || result.error}`);
}

// Every command the panel publishes, as "topic payload" lines, from the moment it is subscribed.
function watchCommands() {
    // Line-buffered, so the SUBACK debug line arrives before any message.
    const sub = spawn('stdbuf', ['-oL', 'mosquitto_sub', '-h', '127.0.0.1', '-p', String(process.env.MQTT_PORT), '-d', '-v', '-q', '1',
        '-t', 'failover/lab/pair/+/set/#', '-t', 'failover/lab/pair/+/request/#'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
                if (line.startsWith('failover/lab/')) seen.push(line);
            }
        });
    });
    return { sub, seen, subscribed };
}

async function main() {
    if (!url || !controlPort) throw new Error('DASHBOARD_URL and ROUTER_CONTROL_PORT must be set');
    const commands = watchCommands();
    process.on('exit', () => commands.sub.kill());
    await commands.subscribed;
    const before = await routes();
    if (before[1] !== 1 || before[2] !== 1) throw new Error(`green outputs do not start on input 1: ${JSON.stringify(before)}`);

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
    try {
        log(`opening ${url}`);
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 20000 });

        await page.locator('[data-pair="green"][data-active="green-main"]').waitFor({ timeout: 30000 });
        await page.locator('[data-pair="blue"][data-active="blue-main"]').waitFor({ timeout: 10000 });
        const greenMain = page.locator('[data-pair="green"] [data-machine="green-main"]');
        if (!(await greenMain.getAttribute('class')).includes('fo-active')) throw new Error('green-main is not highlighted');
        log('both pairs shown, green-main active');

        const button = page.locator('[data-testid="switch-green"]');
        await button.waitFor({ state: 'visible', timeout: 5000 });
        // Both machines healthy: the button is the plain one until the node advises a switch.
        await page.locator('[data-pair="green"][data-advised="false"]').waitFor({ timeout: 10000 });
        await page.locator('[data-pair="green"] [data-machine="green-backup"] .fo-status.fo-ok').waitFor({ timeout: 10000 });
        await button.click();
        log('clicked Switch for green');

        const after = await waitForRoutes({ 1: 2, 2: 2 }, 10000);
        if (after[3] !== 3 || after[4] !== 3) throw new Error(`blue outputs moved: ${JSON.stringify(after)}`);
        log('router: outputs 1 and 2 now on input 2, blue untouched');

        await page.locator('[data-pair="green"][data-active="green-backup"]').waitFor({ timeout: 10000 });
        const greenBackup = page.locator('[data-pair="green"] [data-machine="green-backup"]');
        if (!(await greenBackup.getAttribute('class')).includes('fo-active')) throw new Error('green-backup is not highlighted');
        await page.locator('[data-pair="green"] .fo-reply.fo-ok', { hasText: 'Switched to green-backup' }).waitFor({ timeout: 10000 });
        await page.locator('tr', { hasText: 'manual_switch' }).first().waitFor({ timeout: 10000 });
        log('page: green-backup active, answer shown, switch in the log');

        // Blue to manual with its toggle, then a fault on blue-main: the node must only advise,
        // and the panel must make the Switch button prominent.
        await page.locator('.fo-mode-blue input').setChecked(false, { timeout: 5000 });
        await page.locator('[data-pair="blue"][data-mode="manual"]').waitFor({ timeout: 10000 });
        log('blue set to manual from its toggle');
        publish('render-sim/all/fault', 'fail engine blue-main');
        await page.locator('[data-pair="blue"][data-advised="true"][data-active="blue-main"]').waitFor({ timeout: 10000 });
        await page.locator('[data-testid="switch-blue"].fo-advised').waitFor({ timeout: 5000 });
        await page.locator('[data-pair="blue"] [data-machine="blue-main"] .fo-chip.fo-fail', { hasText: 'engine' }).waitFor({ timeout: 5000 });
        const blue = await routes();
        if (blue[3] !== 3 || blue[4] !== 3) throw new Error(`blue switched in manual mode: ${JSON.stringify(blue)}`);
        log('blue: engine fail shown, switch advised and prominent, routing unchanged');

        const shot = process.env.SCREENSHOT;
        if (shot) {
            fs.mkdirSync(path.dirname(shot), { recursive: true });
            await page.waitForTimeout(300); // let the toggles' transitions finish before the picture
            await page.screenshot({ path: shot, fullPage: true });
            log(`screenshot ${shot}`);
        }

        // The panel published exactly what the operator asked for: no echo of a toggle's
        // displayed value, no repeated switch.
        const deadline = Date.now() + 2000;
        while (commands.seen.length < 2 && Date.now() < deadline) await page.waitForTimeout(20);
        const [first, second, ...extra] = commands.seen;
        const request = /^failover\/lab\/pair\/green\/request\/switch (\{.*\})$/.exec(first || '');
        const body = request ? JSON.parse(request[1]) : {};
        if (!request || body.target !== 'green-backup' || !/^nodered-green-/.test(body.transaction || '') ||
            second !== 'failover/lab/pair/blue/set/mode manual' || extra.length) {
            throw new Error(`unexpected commands from the panel:\n${commands.seen.join('\n')}`);
        }
        log('commands: one request/switch with a transaction, one set/mode');

        // The node's LWT says offline: every panel warns that its state may be old.
        publish('failover/lab/node/state', 'offline');
        await page.locator('[data-pair="green"] [data-role="node-offline"]').waitFor({ timeout: 5000 });
        await page.locator('[data-pair="blue"] [data-role="node-offline"]').waitFor({ timeout: 5000 });
        log('node offline shown on both pairs');
    } catch (error) {
        const shot = (process.env.SCREENSHOT || path.join(process.env.PROFILE_DIR, 'page.png')).replace(/\.png$/, '') + '-failed.png';
        await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
        console.error(`page text:\n${(await page.locator('body').innerText().catch(() => '')).slice(0, 3000)}`);
        if (pageErrors.length) console.error(`page errors:\n${pageErrors.join('\n')}`);
        console.error(`screenshot of the failure: ${shot}`);
        throw error;
    } finally {
        await context.close();
    }
    if (pageErrors.length) log(`page reported (not fatal):\n${pageErrors.join('\n')}`);
}

const guard = setTimeout(() => { console.error('nodered_dashboard: FAIL: browser part took over 75 s'); process.exit(1); }, 75000);
main().then(() => { clearTimeout(guard); log('PASS'); process.exit(0); },
    (error) => { console.error(`nodered_dashboard: FAIL: ${error.message}`); process.exit(1); });
