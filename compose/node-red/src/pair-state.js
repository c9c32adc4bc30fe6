// Keeps the latest retained pair state and the latest answer to this panel's own switch
// requests per pair, and fans them out: the pair panel gets both together (so a browser that
// loads the page later sees the whole picture from one replayed message), the mode and arm
// toggles get their current value. Outputs: [panel, mode, armed] for each pair in PAIRS order.
const PAIRS = ['green', 'blue'];
const base = env.get('FAILOVER_BASE');
const topic = String(msg.topic || '');
if (!topic.startsWith(base + '/')) return null;
const parts = topic.slice(base.length + 1).split('/'); // pair, <p>, state | response, switch

// The node's own availability (its LWT): while it is offline the retained pair states are
// only the last thing it said, and every panel says so.
if (parts[0] === 'node' && parts[1] === 'state') {
    const online = msg.payload === 'online';
    flow.set('nodeOnline', online);
    const panels = flow.get('panels') || {};
    const out = new Array(PAIRS.length * 3).fill(null);
    PAIRS.forEach((p, i) => {
        const panel = panels[p] || { pair: p, state: null, reply: null };
        panel.nodeOnline = online;
        panels[p] = panel;
        out[i * 3] = { topic: p, payload: panel };
    });
    flow.set('panels', panels);
    return out;
}
const pair = parts[1];
const index = PAIRS.indexOf(pair);
if (index < 0) return null;

const panels = flow.get('panels') || {};
const panel = panels[pair] || { pair, state: null, reply: null };
const payload = msg.payload;
if (parts[2] === 'state') {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
    panel.state = payload;
} else if (parts[2] === 'response') {
    if (!payload || typeof payload !== 'object') return null;
    // Answers to other dashboards' or scripts' requests are not ours to show.
    const pending = flow.get('pending') || {};
    if (!payload.transaction || !pending[payload.transaction]) return null;
    delete pending[payload.transaction];
    flow.set('pending', pending);
    const event = payload.data && payload.data.event;
    panel.reply = {
        ok: payload.status === 'ok',
        text: payload.status === 'ok'
            ? 'Switched to ' + ((event && event.to) || (payload.data && payload.data.state && payload.data.state.active) || '?') +
              (event && event.latency_ms && typeof event.latency_ms.total === 'number'
                  ? ' in ' + event.latency_ms.total.toFixed(1) + ' ms' : '')
            : (payload.code || 'error') + ': ' + (payload.error || 'switch refused'),
        at: new Date().toISOString(),
    };
    panel.reply.text = panel.reply.at.slice(11, 19) + ' UTC  ' + panel.reply.text;
} else {
    return null;
}
panel.nodeOnline = flow.get('nodeOnline') !== false;
panels[pair] = panel;
flow.set('panels', panels);

const out = new Array(PAIRS.length * 3).fill(null);
out[index * 3] = { topic: pair, payload: panel };
if (panel.state && parts[2] === 'state') {
    out[index * 3 + 1] = { topic: pair + '/mode', payload: panel.state.mode === 'manual' ? 'manual' : 'auto' };
    out[index * 3 + 2] = { topic: pair + '/armed', payload: panel.state.armed === true };
}
return out;
