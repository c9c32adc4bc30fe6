// Subscribes the panel's mqtt-in node to failover-node's topics under the base topic from
// the environment (FAILOVER_BASE). Node-RED substitutes environment variables only in whole
// properties, so the topics are built here. The broker node keeps these subscriptions and
// renews them after every reconnect.
const base = env.get('FAILOVER_BASE');
if (!base || /[+#]/.test(base)) {
    node.error('FAILOVER_BASE must be a topic without wildcards, e.g. failover/lab');
    return null;
}
// In cluster mode (FAILOVER_BASE is then the cluster's C = <base_topic>/<cluster.id>) the nodes'
// own topics live under nodes/<node_id>/, and cluster/active and cluster/event say who is in
// charge and when that changed; a single node has none of them, and the panel stays as it was.
const topics = ['node/info', 'pair/+/state', 'pair/+/response/switch', 'pair/+/event', 'pair/+/last_event',
    'node/state', 'router/+/state', 'nodes/+/info', 'nodes/+/state', 'nodes/+/role', 'cluster/active',
    'cluster/event'];
node.status({ fill: 'green', shape: 'dot', text: base });
return { action: 'subscribe', topic: topics.map((t) => ({ topic: base + '/' + t, qos: 1 })) };
