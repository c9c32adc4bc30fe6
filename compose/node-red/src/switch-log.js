// The switch log: newest first, at most 50 rows. Fed by B/pair/+/event and the retained
// B/pair/+/last_event (so the log is not empty after a restart); the same event arriving on
// both is shown once. "By" is the event's requested_by (who asked for a manual switch).
// In cluster mode each takeover (C/cluster/event) is a row too: Pair "cluster", Event
// "takeover", from the node that was in charge to the one that is now, why (the election's
// reason) and how long the cluster went without a node in charge (takeover_ms).
let e = msg.payload;
if (String(msg.topic || '').endsWith('/cluster/event')) {
    if (!e || typeof e !== 'object' || e.event_type !== 'takeover') return null;
    e = {
        pair: 'cluster',
        seq: 'term-' + e.term,
        ts: { detected: typeof e.ts === 'string' ? e.ts : undefined },
        event_type: 'takeover',
        from: typeof e.from === 'string' ? e.from : '',
        to: typeof e.to === 'string' ? e.to : '',
        reason: typeof e.reason === 'string' ? e.reason : '',
        latency_ms: { total: typeof e.takeover_ms === 'number' ? e.takeover_ms : undefined },
        result: 'term ' + e.term,
    };
}
if (!e || typeof e !== 'object' || typeof e.pair !== 'string') return null;
const ts = e.ts || {};
const when = ts.confirmed || ts.commanded || ts.detected || new Date().toISOString();
const key = e.pair + '#' + e.seq + '#' + (ts.detected || when);
const keys = flow.get('logKeys') || [];
if (keys.includes(key)) return null;
const latency = e.latency_ms && typeof e.latency_ms.total === 'number' ? e.latency_ms.total.toFixed(2) : '';
const row = {
    'Time (UTC)': String(when).slice(11, 23),
    Pair: e.pair,
    Event: e.event_type || '',
    From: e.from || '',
    To: e.to || '',
    Why: e.description || e.reason || '',
    By: typeof e.requested_by === 'string' ? e.requested_by : '',
    'Latency ms': latency,
    Result: (e.result || '') + (e.error && e.error.code ? ' (' + e.error.code + ')' : ''),
};
const rows = flow.get('logRows') || [];
rows.unshift(row);
keys.unshift(key);
rows.length = Math.min(rows.length, 50);
keys.length = Math.min(keys.length, 50);
flow.set('logRows', rows);
flow.set('logKeys', keys);
return { payload: rows.slice() };
