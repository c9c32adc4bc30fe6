// Node-RED settings for the failover health panel.
//
// The broker and the node's base topic come from the environment so the same flow runs in the
// native lab (free loopback ports picked at start) and under compose (mosquitto:1883):
//   MQTT_HOST      broker host                     default 127.0.0.1
//   MQTT_PORT      broker MQTT port                default 1883
//   FAILOVER_BASE  failover-node's base topic B    default failover/lab
//   NODE_RED_HOST  address the editor and dashboard bind; loopback unless a container asks
//   NODE_RED_PORT  HTTP port                       default 1880
// The flow refers to them as ${MQTT_HOST}, ${MQTT_PORT} and env.get('FAILOVER_BASE').
process.env.MQTT_HOST = process.env.MQTT_HOST || '127.0.0.1';
process.env.MQTT_PORT = process.env.MQTT_PORT || '1883';
process.env.FAILOVER_BASE = process.env.FAILOVER_BASE || 'failover/lab';

module.exports = {
    flowFile: 'flows.json',
    // The flow holds no secrets (anonymous broker); a fixed key keeps a credentials file
    // written by the editor readable on the next start.
    credentialSecret: process.env.NODE_RED_CREDENTIAL_SECRET || 'failover-health-panel',
    flowFilePretty: true,

    // Loopback only when run natively; compose sets NODE_RED_HOST=0.0.0.0 inside the container.
    uiHost: process.env.NODE_RED_HOST || '127.0.0.1',
    uiPort: Number(process.env.NODE_RED_PORT || process.env.PORT || 1880),

    // The panel is for a control room without internet access: no update checks.
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },

    logging: {
        console: { level: process.env.NODE_RED_LOG_LEVEL || 'info', metrics: false, audit: false },
    },
    exportGlobalContextKeys: false,
    // Nodes come from package.json, not from the editor's palette manager.
    externalModules: { palette: { allowInstall: false } },
    editorTheme: {
        projects: { enabled: false },
        tours: false,
    },
    functionExternalModules: false,
    functionGlobalContext: {},
    debugMaxLength: 1000,
    mqttReconnectTime: 2000,
};
