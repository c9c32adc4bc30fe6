// Turns what the dashboard widgets send into failover-node commands (docs/mqtt-api.md).
// Widgets send msg.topic "<pair>/<what>": the mode toggle "auto"/"manual", the arm toggle
// true/false, the Switch button {target}. Commands are QoS 1 and never retained.
const PAIRS = ['green', 'blue'];
const base = env.get('FAILOVER_BASE');
const [pair, what] = String(msg.topic || '').split('/');
if (!PAIRS.includes(pair)) return null;
const prefix = base + '/pair/' + pair;

if (what === 'mode') {
    if (msg.payload !== 'auto' && msg.payload !== 'manual') return null;
    return { topic: prefix + '/set/mode', payload: msg.payload, qos: 1, retain: false };
}
if (what === 'armed') {
    return { topic: prefix + '/set/armed', payload: msg.payload === true ? 'ON' : 'OFF', qos: 1, retain: false };
}
if (what === 'switch') {
    // A transaction makes a retried click harmless (the node answers it again instead of
    // switching twice) and lets the panel show the answer to its own request only.
    const transaction = 'nodered-' + pair + '-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
    const body = { transaction };
    if (msg.payload && typeof msg.payload.target === 'string' && msg.payload.target) body.target = msg.payload.target;
    const pending = flow.get('pending') || {};
    const now = Date.now();
    for (const [key, sent] of Object.entries(pending)) if (now - sent > 60000) delete pending[key];
    pending[transaction] = now;
    flow.set('pending', pending);
    return { topic: prefix + '/request/switch', payload: JSON.stringify(body), qos: 1, retain: false };
}
return null;
