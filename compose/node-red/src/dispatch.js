// Every topic the panel reads arrives on one mqtt-in node subscribed at start (see
// "subscribe"); this sends each message to the part of the flow that handles it.
// Outputs: the facility (node info, pair states, switch answers; in cluster mode the nodes'
// info, state and role and the node in charge), switch events and takeover events, node state,
// router state (wired to the router line and to the facility, for the router toggles).
const base = env.get('FAILOVER_BASE');
const topic = String(msg.topic || '');
if (!topic.startsWith(base + '/')) return null;
const rest = topic.slice(base.length + 1).split('/');
if (rest[0] === 'node' && rest[1] === 'info' && rest.length === 2) return [msg, null, null, null];
if (rest[0] === 'pair' && rest.length === 3 && rest[2] === 'state') return [msg, null, null, null];
if (rest[0] === 'pair' && rest.length === 4 && rest[2] === 'response' && rest[3] === 'switch') return [msg, null, null, null];
if (rest[0] === 'pair' && rest.length === 3 && (rest[2] === 'event' || rest[2] === 'last_event')) return [null, msg, null, null];
if (rest[0] === 'node' && rest[1] === 'state' && rest.length === 2) return [null, null, msg, null];
if (rest[0] === 'router' && rest.length === 3 && rest[2] === 'state') return [null, null, null, msg];
if (rest[0] === 'nodes' && rest.length === 3 && ['info', 'state', 'role'].includes(rest[2])) return [msg, null, null, null];
if (rest[0] === 'cluster' && rest[1] === 'active' && rest.length === 2) return [msg, null, null, null];
if (rest[0] === 'cluster' && rest[1] === 'event' && rest.length === 2) return [null, msg, null, null];
return null;
