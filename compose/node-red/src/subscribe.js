// Subscribes the panel's mqtt-in node to failover-node's topics under the base topic from
// the environment (FAILOVER_BASE). Node-RED substitutes environment variables only in whole
// properties, so the topics are built here. The broker node keeps these subscriptions and
// renews them after every reconnect.
const base = env.get('FAILOVER_BASE');
if (!base || /[+#]/.test(base)) {
    node.error('FAILOVER_BASE must be a topic without wildcards, e.g. failover/lab');
    return null;
}
const topics = ['node/info', 'pair/+/state', 'pair/+/response/switch', 'pair/+/event', 'pair/+/last_event',
    'node/state', 'router/+/state'];
node.status({ fill: 'green', shape: 'dot', text: base });
return { action: 'subscribe', topic: topics.map((t) => ({ topic: base + '/' + t, qos: 1 })) };
