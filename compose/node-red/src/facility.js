// The facility as the node describes it, kept in flow context and sent whole to the panel.
// Nothing here names a pair or a machine: they come from the node's retained topics.
//   B/node/info            which pairs exist (in configuration order), their machines (with
//                          labels and inputs per signal) and each pair's signals and outputs;
//                          a pair it no longer lists is dropped.
//   B/pair/<p>/state       the pair's live state; an empty payload (the retained state cleared)
//                          means the pair is gone.
//   B/pair/<p>/response/switch   the answer to this panel's own Switch (matched by transaction).
//   B/node/state           online / offline (the node's LWT).
//   B/router/<r>/state     each router's state (enabled, connected, state), for its toggle;
//                          an empty payload means the router is gone.
// Before B/node/info arrives, every pair that has published a state is shown.
// In cluster mode (FAILOVER_BASE = C, the cluster's topics; docs/redundancy.md):
//   C/nodes/<n>/info       each node's description; the one of the node in charge is used
//                          like B/node/info (before any is in charge, the last one read).
//   C/nodes/<n>/state      each node's online / offline; the panel is "offline" only when
//                          every known node is.
//   C/nodes/<n>/role       active / standby / isolated.
//   C/cluster/active       the node in charge.
// One output: the panel's message, { node, nodeOnline, cluster, machines, routers: [...], pairs: [...] },
// which the dashboard replays to a browser that opens the page later. The lists of shown pairs
// and routers are also kept as flow.pairs and flow.routerIds for the command function.
const base = env.get('FAILOVER_BASE');
const topic = String(msg.topic || '');
if (!topic.startsWith(base + '/')) return null;
const parts = topic.slice(base.length + 1).split('/');
// The node's ids are [a-z0-9_-]; a name like __proto__ is never used as a key.
const validId = (x) => typeof x === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(x) && !(x in Object.prototype);

const f = flow.get('facility') || { info: null, states: {}, replies: {}, gone: {}, nodeOnline: true };
if (!f.routers) f.routers = {};
if (!f.cluster) f.cluster = { active: '', nodes: {}, infos: {} };
const payload = msg.payload;
const empty = payload === undefined || payload === null || payload === '' ||
    (Buffer.isBuffer(payload) && payload.length === 0);
const isObject = (v) => !!v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

// B/node/info -> which pairs exist and what they are made of.
function readInfo(p) {
    const facility = isObject(p.facility) ? p.facility : {};
    const machines = {};
    for (const m of Array.isArray(facility.machines) ? facility.machines : []) {
        if (!isObject(m) || !validId(m.id)) continue;
        machines[m.id] = { label: typeof m.label === 'string' ? m.label : m.id, inputs: isObject(m.inputs) ? m.inputs : {} };
    }
    const pairs = [];
    const listed = Array.isArray(facility.pairs) ? facility.pairs
        : (Array.isArray(p.pairs) ? p.pairs.map((id) => ({ id })) : []); // an older node: ids only
    for (const q of listed) {
        if (!isObject(q) || !validId(q.id) || pairs.some((x) => x.id === q.id)) continue;
        pairs.push({
            id: q.id,
            router: typeof q.router === 'string' ? q.router : '',
            main: typeof q.main === 'string' ? q.main : '',
            backup: typeof q.backup === 'string' ? q.backup : '',
            signals: (Array.isArray(q.signals) ? q.signals : [])
                .filter((s) => isObject(s) && typeof s.signal === 'string')
                .map((s) => ({ signal: s.signal, outputs: Array.isArray(s.outputs) ? s.outputs : [] })),
        });
    }
    return {
        node_id: typeof p.node_id === 'string' ? p.node_id : '',
        version: typeof p.version === 'string' ? p.version : '',
        routers: Array.isArray(p.routers) ? p.routers.filter((r) => typeof r === 'string') : [],
        machines,
        pairs,
    };
}

function answerText(p) {
    const event = p.data && p.data.event;
    const text = p.status === 'ok'
        ? 'Switched to ' + ((event && event.to) || (p.data && p.data.state && p.data.state.active) || '?') +
          (event && event.latency_ms && typeof event.latency_ms.total === 'number'
              ? ' in ' + event.latency_ms.total.toFixed(1) + ' ms' : '')
        : (p.code || 'error') + ': ' + (p.error || 'switch refused');
    const at = new Date().toISOString();
    return { ok: p.status === 'ok', text: at.slice(11, 19) + ' UTC  ' + text, at };
}

// The cluster's nodes, in id order: each one's online state and role, and who is in charge.
function clusterNode(id) {
    if (!f.cluster.nodes[id]) f.cluster.nodes[id] = { online: null, role: '' };
    return f.cluster.nodes[id];
}
function useActiveInfo() {
    const info = f.cluster.infos[f.cluster.active];
    if (info) f.info = info;
}

if (parts[0] === 'nodes' && validId(parts[1]) && parts.length === 3) {
    const id = parts[1];
    const text = Buffer.isBuffer(payload) ? payload.toString() : payload;
    if (parts[2] === 'info') {
        if (empty) delete f.cluster.infos[id];
        else if (isObject(payload)) f.cluster.infos[id] = readInfo(payload);
        else return null;
        if (id === f.cluster.active || (!f.cluster.active && f.cluster.infos[id])) f.info = f.cluster.infos[id] || f.info;
    } else if (parts[2] === 'state') {
        // An empty retained state: the operator cleared a node that is gone for good.
        if (empty) delete f.cluster.nodes[id];
        else clusterNode(id).online = text === 'online';
    } else if (parts[2] === 'role') {
        if (empty) {
            if (f.cluster.nodes[id]) f.cluster.nodes[id].role = '';
        } else {
            clusterNode(id).role = typeof text === 'string' ? text : '';
        }
    } else {
        return null;
    }
} else if (parts[0] === 'cluster' && parts[1] === 'active' && parts.length === 2) {
    const text = Buffer.isBuffer(payload) ? payload.toString() : payload;
    f.cluster.active = !empty && validId(text) ? text : '';
    useActiveInfo();
} else if (parts[0] === 'node' && parts[1] === 'info' && parts.length === 2) {
    if (empty) {
        // The node's description was withdrawn: nothing it configured can be trusted to exist.
        f.info = null;
        f.states = {};
        f.replies = {};
        f.gone = {};
    } else if (isObject(payload)) {
        f.info = readInfo(payload);
        const listed = new Set(f.info.pairs.map((q) => q.id));
        for (const key of ['states', 'replies', 'gone']) {
            for (const id of Object.keys(f[key])) if (!listed.has(id)) delete f[key][id];
        }
    } else {
        return null;
    }
} else if (parts[0] === 'node' && parts[1] === 'state' && parts.length === 2) {
    f.nodeOnline = payload === 'online';
} else if (parts[0] === 'pair' && validId(parts[1]) && parts[2] === 'state' && parts.length === 3) {
    const id = parts[1];
    if (empty) {
        delete f.states[id];
        delete f.replies[id];
        f.gone[id] = true;
    } else if (isObject(payload)) {
        f.states[id] = payload;
        delete f.gone[id];
    } else {
        return null;
    }
} else if (parts[0] === 'router' && validId(parts[1]) && parts[2] === 'state' && parts.length === 3) {
    if (empty) delete f.routers[parts[1]];
    else if (isObject(payload)) f.routers[parts[1]] = payload;
    else return null;
} else if (parts[0] === 'pair' && validId(parts[1]) && parts[2] === 'response' && parts[3] === 'switch' && parts.length === 4) {
    if (!isObject(payload)) return null;
    // Answers to other dashboards' or scripts' requests are not ours to show.
    const pending = flow.get('pending') || {};
    if (!payload.transaction || !pending[payload.transaction]) return null;
    delete pending[payload.transaction];
    flow.set('pending', pending);
    if (!f.states[parts[1]] && !(f.info && f.info.pairs.some((q) => q.id === parts[1]))) return null;
    f.replies[parts[1]] = answerText(payload);
} else {
    return null;
}
flow.set('facility', f);

// What the panel shows: the pairs B/node/info lists (or, before it arrives, every pair with a
// state), minus those whose state was cleared.
const configured = f.info ? f.info.pairs : Object.keys(f.states).sort().map((id) => ({ id, router: '', main: '', backup: '', signals: [] }));
const shown = configured.filter((q) => !f.gone[q.id]);
const pairs = shown.map((q) => {
    const state = f.states[q.id] || null;
    const backup = (state && state.backup) || q.backup;
    return {
        id: q.id,
        config: q,
        state,
        reply: f.replies[q.id] || null,
        // N:1: the other pairs this pair's Backup also serves.
        sharesBackupWith: backup ? configured.filter((o) => o.id !== q.id && o.backup === backup).map((o) => o.id) : [],
    };
});
flow.set('pairs', pairs.map((p) => p.id));
// The routers B/node/info lists (or, before it arrives, every router with a state), each with
// its live state, for the router toggles.
const routerIds = f.info ? f.info.routers.filter(validId) : Object.keys(f.routers).sort();
const routers = routerIds.map((id) => {
    const r = f.routers[id] || null;
    return {
        id,
        enabled: r ? r.enabled !== false : null,
        connected: !!(r && r.connected),
        state: (r && typeof r.state === 'string') ? r.state : '',
        reason: (r && typeof r.reason === 'string') ? r.reason : '',
    };
});
flow.set('routerIds', routerIds);
// Cluster mode once any node of a cluster has shown itself; null for a single node.
const clusterIds = Object.keys(f.cluster.nodes).sort();
const cluster = clusterIds.length || f.cluster.active ? {
    id: base.split('/').pop(),
    active: f.cluster.active,
    nodes: clusterIds.map((id) => ({ id, online: f.cluster.nodes[id].online, role: f.cluster.nodes[id].role })),
} : null;
const online = cluster && clusterIds.length ? cluster.nodes.some((n) => n.online === true) : f.nodeOnline !== false;
return {
    topic: 'facility',
    payload: {
        node: f.info ? { id: f.info.node_id, version: f.info.version, routers: f.info.routers } : null,
        nodeOnline: online,
        cluster,
        machines: f.info ? f.info.machines : {},
        routers,
        pairs,
    },
};
