// nodered_functions: the health panel's function nodes (compose/node-red/src/*.js) run the way
// Node-RED runs them (msg, env, flow and node in scope, `return` sends), without Node-RED:
// how the facility is discovered from B/node/info and B/pair/+/state, how pairs disappear,
// and what the commands carry. Usage: node tests/nodered/functions_test.js
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');

const srcDir = path.join(__dirname, '..', '..', 'compose', 'node-red', 'src');
const BASE = 'failover/studio';

// One flow context shared by every function, as on one Node-RED tab.
function makeFlow() {
    const values = {};
    return { get: (k) => values[k], set: (k, v) => { values[k] = v; } };
}
function load(name, flow) {
    const code = fs.readFileSync(path.join(srcDir, name), 'utf8');
    const fn = new Function('msg', 'env', 'flow', 'node', 'Buffer', code); // eslint-disable-line no-new-func
    const env = { get: (k) => (k === 'FAILOVER_BASE' ? BASE : undefined) };
    const node = { error: () => {}, status: () => {}, warn: () => {} };
    return (msg) => fn(msg, env, flow, node, Buffer);
}

const info = (pairs) => ({
    topic: BASE + '/node/info',
    payload: {
        node_id: 'studio', version: '0.1.0', pairs: pairs.map((p) => p.id), routers: ['vh1'],
        facility: {
            machines: [{ id: 'a-main', label: 'A Main', inputs: { fill: 1, key: 2 } }, { id: 'a-backup', label: 'A Backup', inputs: { fill: 3, key: 4 } }],
            pairs,
        },
    },
});
const pairInfo = (id, backup) => ({ id, router: 'vh1', main: id + '-main', backup, signals: [{ signal: 'program', outputs: [1] }] });
const state = (id, backup) => ({ topic: BASE + '/pair/' + id + '/state', payload: { pair: id, main: id + '-main', backup, active: id + '-main', mode: 'auto', armed: true } });
const shown = (out) => out.payload.pairs.map((p) => p.id);

const tests = {
    'a state before B/node/info shows its pair'() {
        const facility = load('facility.js', makeFlow());
        const out = facility(state('x', 'x-backup'));
        assert.deepStrictEqual(shown(out), ['x']);
        assert.strictEqual(out.payload.pairs[0].state.active, 'x-main');
    },
    'B/node/info decides which pairs exist, in its order'() {
        const flow = makeFlow();
        const facility = load('facility.js', flow);
        facility(state('x', 'x-backup'));
        const out = facility(info([pairInfo('b', 'spare'), pairInfo('a', 'a-backup'), pairInfo('c', 'spare')]));
        assert.deepStrictEqual(shown(out), ['b', 'a', 'c']); // x is not in the configuration
        assert.strictEqual(out.payload.pairs[0].state, null); // listed, state not yet seen
        assert.deepStrictEqual(out.payload.pairs[0].sharesBackupWith, ['c']);
        assert.strictEqual(out.payload.machines['a-main'].label, 'A Main');
        assert.deepStrictEqual(out.payload.machines['a-main'].inputs, { fill: 1, key: 2 });
        assert.deepStrictEqual(flow.get('pairs'), ['b', 'a', 'c']);
        const later = facility(state('a', 'a-backup'));
        assert.strictEqual(later.payload.pairs[1].state.active, 'a-main');
        assert.deepStrictEqual(later.payload.pairs[1].config.signals, [{ signal: 'program', outputs: [1] }]);
    },
    'an empty retained state means the pair is gone, a new state brings it back'() {
        const flow = makeFlow();
        const facility = load('facility.js', flow);
        facility(info([pairInfo('a', 'a-backup'), pairInfo('b', 'b-backup')]));
        facility(state('a', 'a-backup'));
        facility(state('b', 'b-backup'));
        assert.deepStrictEqual(shown(facility({ topic: BASE + '/pair/b/state', payload: '' })), ['a']);
        assert.deepStrictEqual(flow.get('pairs'), ['a']);
        assert.deepStrictEqual(shown(facility({ topic: BASE + '/pair/a/state', payload: Buffer.alloc(0) })), []);
        assert.deepStrictEqual(shown(facility(state('b', 'b-backup'))), ['b']);
    },
    'a pair B/node/info no longer lists is dropped with its state'() {
        const flow = makeFlow();
        const facility = load('facility.js', flow);
        facility(info([pairInfo('a', 'a-backup'), pairInfo('b', 'b-backup')]));
        facility(state('a', 'a-backup'));
        facility(state('b', 'b-backup'));
        const out = facility(info([pairInfo('b', 'b-backup')]));
        assert.deepStrictEqual(shown(out), ['b']);
        assert.strictEqual(flow.get('facility').states.a, undefined);
        // Listed again later: waiting for its state, not showing the old one.
        const again = facility(info([pairInfo('a', 'a-backup'), pairInfo('b', 'b-backup')]));
        assert.deepStrictEqual(shown(again), ['a', 'b']);
        assert.strictEqual(again.payload.pairs[0].state, null);
    },
    'a node that lists only pair ids is understood'() {
        const facility = load('facility.js', makeFlow());
        const out = facility({ topic: BASE + '/node/info', payload: { node_id: 'old', pairs: ['p', 'q'] } });
        assert.deepStrictEqual(shown(out), ['p', 'q']);
    },
    'topics that are not pair ids are ignored'() {
        const facility = load('facility.js', makeFlow());
        assert.strictEqual(facility({ topic: BASE + '/pair/__proto__/state', payload: { pair: 'x' } }), null);
        assert.strictEqual(facility({ topic: 'other/base/pair/a/state', payload: { pair: 'a' } }), null);
        assert.strictEqual(facility({ topic: BASE + '/pair/a/state', payload: 'not json' }), null);
    },
    'node offline reaches the panel'() {
        const facility = load('facility.js', makeFlow());
        facility(state('a', 'a-backup'));
        assert.strictEqual(facility({ topic: BASE + '/node/state', payload: 'offline' }).payload.nodeOnline, false);
        assert.strictEqual(facility({ topic: BASE + '/node/state', payload: 'online' }).payload.nodeOnline, true);
    },
    'commands go only to shown pairs, as JSON with requested_by'() {
        const flow = makeFlow();
        const facility = load('facility.js', flow);
        const command = load('command.js', flow);
        facility(info([pairInfo('a', 'a-backup')]));
        assert.strictEqual(command({ topic: 'switch', payload: { pair: 'z', target: 'z-backup' } }), null);

        const sw = command({ topic: 'switch', payload: { pair: 'a', target: 'a-backup' } });
        assert.strictEqual(sw.topic, BASE + '/pair/a/request/switch');
        assert.strictEqual(sw.qos, 1);
        assert.strictEqual(sw.retain, false);
        const body = JSON.parse(sw.payload);
        assert.strictEqual(body.target, 'a-backup');
        assert.strictEqual(body.requested_by, 'node-red');
        assert.match(body.transaction, /^nodered-a-/);
        assert.ok(flow.get('pending')[body.transaction]);

        const mode = command({ topic: 'mode', payload: { pair: 'a', mode: 'manual' } });
        assert.strictEqual(mode.topic, BASE + '/pair/a/set');
        assert.deepStrictEqual(JSON.parse(mode.payload), { mode: 'manual', requested_by: 'node-red' });
        assert.strictEqual(command({ topic: 'mode', payload: { pair: 'a', mode: 'sometimes' } }), null);

        const armed = command({ topic: 'armed', payload: { pair: 'a', armed: false }, _client: { socketId: 's1' } });
        assert.deepStrictEqual(JSON.parse(armed.payload), { armed: false, requested_by: 'node-red' });
        assert.strictEqual(command({ topic: 'armed', payload: { pair: 'a', armed: 'yes' } }), null);
    },
    'router states reach the panel, for the routers B/node/info lists'() {
        const flow = makeFlow();
        const facility = load('facility.js', flow);
        const routerState = (id, payload) => ({ topic: BASE + '/router/' + id + '/state', payload });
        // Before B/node/info: every router with a state.
        let out = facility(routerState('vh1', { id: 'vh1', enabled: true, connected: true, state: 'ready' }));
        assert.deepStrictEqual(out.payload.routers, [{ id: 'vh1', enabled: true, connected: true, state: 'ready', reason: '' }]);
        out = facility(info([pairInfo('a', 'a-backup')]));
        assert.deepStrictEqual(out.payload.routers.map((r) => r.id), ['vh1']);
        assert.deepStrictEqual(flow.get('routerIds'), ['vh1']);
        out = facility(routerState('vh1', { id: 'vh1', enabled: false, connected: false, state: 'disabled', reason: 'disabled by an operator' }));
        assert.deepStrictEqual(out.payload.routers[0], { id: 'vh1', enabled: false, connected: false, state: 'disabled', reason: 'disabled by an operator' });
        // A router the node does not list is not shown; a cleared state leaves its router unknown.
        out = facility(routerState('other', { id: 'other', enabled: true }));
        assert.deepStrictEqual(out.payload.routers.map((r) => r.id), ['vh1']);
        out = facility(routerState('vh1', ''));
        assert.strictEqual(out.payload.routers[0].enabled, null);
        assert.strictEqual(facility(routerState('__proto__', { enabled: true })), null);
    },
    'a router toggle sends set/enabled as JSON with requested_by, for shown routers only'() {
        const flow = makeFlow();
        load('facility.js', flow)(info([pairInfo('a', 'a-backup')]));
        const command = load('command.js', flow);
        const off = command({ topic: 'router', payload: { router: 'vh1', enabled: false }, _client: { user: { username: 'ana' } } });
        assert.strictEqual(off.topic, BASE + '/router/vh1/set/enabled');
        assert.strictEqual(off.qos, 1);
        assert.strictEqual(off.retain, false);
        assert.deepStrictEqual(JSON.parse(off.payload), { enabled: false, requested_by: 'node-red:ana' });
        const on = command({ topic: 'router', payload: { router: 'vh1', enabled: true } });
        assert.deepStrictEqual(JSON.parse(on.payload), { enabled: true, requested_by: 'node-red' });
        assert.strictEqual(command({ topic: 'router', payload: { router: 'vh2', enabled: true } }), null);
        assert.strictEqual(command({ topic: 'router', payload: { router: 'vh1', enabled: 'OFF' } }), null);
        assert.strictEqual(command({ topic: 'router', payload: { pair: 'a', enabled: false } }), null);
    },
    'a dashboard user is named in requested_by'() {
        const flow = makeFlow();
        load('facility.js', flow)(info([pairInfo('a', 'a-backup')]));
        const command = load('command.js', flow);
        const by = (client) => JSON.parse(command({ topic: 'mode', payload: { pair: 'a', mode: 'auto' }, _client: client }).payload).requested_by;
        assert.strictEqual(by({ socketId: 's1', user: { userId: 'u1', username: 'ana', name: 'Ana P' } }), 'node-red:ana');
        assert.strictEqual(by({ user: { name: 'Ana P' } }), 'node-red:Ana P');
        assert.strictEqual(by({ user: { userId: 'u1' } }), 'node-red:u1');
        assert.strictEqual(by({ user: {} }), 'node-red');
    },
    'the answer to the panel\'s own switch is shown on its pair only'() {
        const flow = makeFlow();
        const facility = load('facility.js', flow);
        const command = load('command.js', flow);
        facility(info([pairInfo('a', 'a-backup'), pairInfo('b', 'b-backup')]));
        facility(state('a', 'a-backup'));
        const { transaction } = JSON.parse(command({ topic: 'switch', payload: { pair: 'a', target: 'a-backup' } }).payload);
        const response = (t) => ({ topic: BASE + '/pair/a/response/switch',
            payload: { status: 'ok', transaction: t, data: { event: { to: 'a-backup', latency_ms: { total: 0.42 } } } } });
        assert.strictEqual(facility(response('someone-else')), null);
        const out = facility(response(transaction));
        assert.match(out.payload.pairs[0].reply.text, /Switched to a-backup in 0\.4 ms$/);
        assert.strictEqual(out.payload.pairs[1].reply, null);
        assert.strictEqual(facility(response(transaction)), null); // answered once
    },
    'dispatch sends node info and pair states to the facility'() {
        const dispatch = load('dispatch.js', makeFlow());
        const outputOf = (topic) => dispatch({ topic, payload: {} }).findIndex((m) => m);
        assert.strictEqual(outputOf(BASE + '/node/info'), 0);
        assert.strictEqual(outputOf(BASE + '/pair/a/state'), 0);
        assert.strictEqual(outputOf(BASE + '/pair/a/response/switch'), 0);
        assert.strictEqual(outputOf(BASE + '/pair/a/event'), 1);
        assert.strictEqual(outputOf(BASE + '/node/state'), 2);
        assert.strictEqual(outputOf(BASE + '/router/vh1/state'), 3);
    },
    'the switch log names who asked'() {
        const log = load('switch-log.js', makeFlow());
        const event = { pair: 'a', seq: 1, event_type: 'manual_switch', from: 'a-main', to: 'a-backup', requested_by: 'node-red:ana',
            ts: { detected: '2026-01-01T00:00:00.000Z', confirmed: '2026-01-01T00:00:00.001Z' }, latency_ms: { total: 1 }, result: 'ok' };
        const rows = log({ topic: BASE + '/pair/a/event', payload: event }).payload;
        assert.strictEqual(rows[0].By, 'node-red:ana');
        assert.strictEqual(log({ topic: BASE + '/pair/a/last_event', payload: event }), null); // the same event once
    },
    'a single node shows no cluster'() {
        const facility = load('facility.js', makeFlow());
        const out = facility(info([pairInfo('a', 'a-backup')]));
        assert.strictEqual(out.payload.cluster, null);
        assert.strictEqual(facility({ topic: BASE + '/node/state', payload: 'offline' }).payload.nodeOnline, false);
    },
    'cluster mode: the nodes, their roles and the node in charge, whose info describes the facility'() {
        const facility = load('facility.js', makeFlow());
        const nodeInfo = (id, pairs) => ({ ...info(pairs), topic: BASE + '/nodes/' + id + '/info' });
        facility(nodeInfo('fo2', [pairInfo('b', 'b-backup')]));
        facility(nodeInfo('fo1', [pairInfo('a', 'a-backup')]));
        facility({ topic: BASE + '/nodes/fo1/state', payload: 'online' });
        facility({ topic: BASE + '/nodes/fo2/state', payload: 'online' });
        facility({ topic: BASE + '/nodes/fo1/role', payload: 'active' });
        facility({ topic: BASE + '/nodes/fo2/role', payload: Buffer.from('standby') });
        let out = facility({ topic: BASE + '/cluster/active', payload: 'fo1' });
        assert.deepStrictEqual(out.payload.cluster, {
            id: 'studio', active: 'fo1',
            nodes: [{ id: 'fo1', online: true, role: 'active' }, { id: 'fo2', online: true, role: 'standby' }],
        });
        assert.deepStrictEqual(shown(out), ['a']);
        // fo1 dies: still online as a panel while fo2 is; fo2 takes over and its info is used.
        out = facility({ topic: BASE + '/nodes/fo1/state', payload: 'offline' });
        assert.strictEqual(out.payload.nodeOnline, true);
        out = facility({ topic: BASE + '/cluster/active', payload: 'fo2' });
        assert.strictEqual(out.payload.cluster.active, 'fo2');
        assert.deepStrictEqual(shown(out), ['b']);
        out = facility({ topic: BASE + '/nodes/fo2/state', payload: 'offline' });
        assert.strictEqual(out.payload.nodeOnline, false); // every node is offline
        // A node cleared for good disappears; a bad node id is ignored.
        out = facility({ topic: BASE + '/nodes/fo1/state', payload: '' });
        assert.deepStrictEqual(out.payload.cluster.nodes.map((n) => n.id), ['fo2']);
        assert.strictEqual(facility({ topic: BASE + '/nodes/__proto__/state', payload: 'online' }), null);
    },
    'dispatch sends the cluster topics to the facility and takeovers to the log'() {
        const dispatch = load('dispatch.js', makeFlow());
        const outputOf = (topic) => (dispatch({ topic, payload: {} }) || []).findIndex((m) => m);
        for (const leaf of ['nodes/fo1/info', 'nodes/fo1/state', 'nodes/fo1/role', 'cluster/active']) {
            assert.strictEqual(outputOf(BASE + '/' + leaf), 0, leaf);
        }
        assert.strictEqual(outputOf(BASE + '/cluster/event'), 1);
        assert.strictEqual(outputOf(BASE + '/nodes/fo1/heartbeat'), -1);
    },
    'a takeover is a row of the log, once'() {
        const log = load('switch-log.js', makeFlow());
        const takeover = { event_type: 'takeover', from: 'fo1', to: 'fo2', reason: 'active_silent', term: 3, takeover_ms: 612,
            ts: '2026-01-01T10:00:00.123Z' };
        const rows = log({ topic: BASE + '/cluster/event', payload: takeover }).payload;
        assert.deepStrictEqual(rows[0], { 'Time (UTC)': '10:00:00.123', Pair: 'cluster', Event: 'takeover', From: 'fo1', To: 'fo2',
            Why: 'active_silent', By: '', 'Latency ms': '612.00', Result: 'term 3' });
        assert.strictEqual(log({ topic: BASE + '/cluster/event', payload: takeover }), null);
        assert.strictEqual(log({ topic: BASE + '/cluster/event', payload: { event_type: 'other' } }), null);
        // The first takeover of a cluster comes from nobody.
        const first = log({ topic: BASE + '/cluster/event', payload: { ...takeover, from: null, term: 1 } }).payload;
        assert.strictEqual(first[0].From, '');
    },
};

let failed = 0;
for (const [name, test] of Object.entries(tests)) {
    try {
        test();
        console.log('ok   ' + name);
    } catch (error) {
        failed++;
        console.log('FAIL ' + name + '\n     ' + String(error.stack || error).split('\n').slice(0, 6).join('\n     '));
    }
}
console.log(failed ? `nodered_functions: ${failed} failed` : `nodered_functions: all ${Object.keys(tests).length} passed`);
process.exit(failed ? 1 : 0);
