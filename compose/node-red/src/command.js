// Turns what the facility panel sends into failover-node commands (docs/mqtt-api.md).
// The panel sends msg.topic "switch" {pair, target}, "mode" {pair, mode} or "armed"
// {pair, armed}; the pair must be one the panel shows (flow.pairs, kept by "facility").
// It sends "router" {router, enabled} for a router's toggle; the router must be one the panel
// shows (flow.routerIds).
// Every command is JSON and names who asked, as `requested_by`: "node-red", or
// "node-red:<user>" when the dashboard knows its user (msg._client.user, set by a dashboard
// user plugin). Commands are QoS 1 and never retained.
const base = env.get('FAILOVER_BASE');
const body = msg.payload && typeof msg.payload === 'object' ? msg.payload : {};

function requestedBy(client) {
    const user = client && client.user;
    let name = '';
    if (typeof user === 'string') name = user;
    else if (user && typeof user === 'object') name = user.username || user.name || user.email || user.userId || '';
    name = String(name).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 64);
    return name ? 'node-red:' + name : 'node-red';
}
const requested_by = requestedBy(msg._client);
const command = (topic, fields) => ({ topic, payload: JSON.stringify({ ...fields, requested_by }), qos: 1, retain: false });

if (msg.topic === 'router') {
    const router = typeof body.router === 'string' ? body.router : '';
    if (!router || !(flow.get('routerIds') || []).includes(router) || typeof body.enabled !== 'boolean') return null;
    return command(base + '/router/' + router + '/set/enabled', { enabled: body.enabled });
}

const pair = typeof body.pair === 'string' ? body.pair : '';
if (!pair || !(flow.get('pairs') || []).includes(pair)) return null;
const prefix = base + '/pair/' + pair;

if (msg.topic === 'mode') {
    if (body.mode !== 'auto' && body.mode !== 'manual') return null;
    return command(prefix + '/set', { mode: body.mode });
}
if (msg.topic === 'armed') {
    if (typeof body.armed !== 'boolean') return null;
    return command(prefix + '/set', { armed: body.armed });
}
if (msg.topic === 'switch') {
    // A transaction makes a retried click harmless (the node answers it again instead of
    // switching twice) and lets the panel show the answer to its own request only.
    const transaction = 'nodered-' + pair + '-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
    const pending = flow.get('pending') || {};
    const now = Date.now();
    for (const [key, sent] of Object.entries(pending)) if (now - sent > 60000) delete pending[key];
    pending[transaction] = now;
    flow.set('pending', pending);
    const fields = { transaction };
    if (typeof body.target === 'string' && body.target) fields.target = body.target;
    return command(prefix + '/request/switch', fields);
}
return null;
