#!/usr/bin/env node
// Writes ../flows.json from the readable sources in ../src: the facility panel template
// (facility-panel.vue) and the function nodes' code. Run it after editing a source:
// `node compose/node-red/tools/make-flows.js`. A flow edited in the Node-RED editor and
// exported works too; then carry the change back into src/ so the two do not drift.
// The flow names no pair and no machine: the panel finds them at run time in the node's
// retained topics (see src/facility.js), so the same flows.json serves any facility.
'use strict';
const fs = require('fs');
const path = require('path');

const here = path.join(__dirname, '..');
const src = (name) => fs.readFileSync(path.join(here, 'src', name), 'utf8');
const tab = 'fo_tab';
const broker = 'fo_broker';
const group = (id) => 'fo_group_' + id;

const nodes = [];
let y = 40;
const at = (x) => ({ x, y });
const row = () => { y += 60; };

nodes.push({ id: tab, type: 'tab', label: 'Failover health', disabled: false,
    info: 'Health panel for failover-node. Talks to the node only through docs/mqtt-api.md.' });

// Dashboard configuration: one page, a group for the pairs (one panel draws them all, however
// many the node has) and one for the log.
nodes.push({ id: 'fo_ui', type: 'ui-base', name: 'Failover', path: '/dashboard', appIcon: '',
    includeClientData: true, acceptsClientConfig: ['ui-notification', 'ui-control'],
    showPathInSidebar: false, headerContent: 'page', navigationStyle: 'default', titleBarStyle: 'default',
    showReconnectNotification: true, notificationDisplayTime: 1, showDisconnectNotification: true,
    allowInstall: false });
nodes.push({ id: 'fo_theme', type: 'ui-theme', name: 'Failover',
    colors: { surface: '#263238', primary: '#1565c0', bgPage: '#eceff1', groupBg: '#ffffff', groupOutline: '#cfd8dc' },
    sizes: { density: 'compact', pagePadding: '12px', groupGap: '12px', groupBorderRadius: '6px', widgetGap: '8px' } });
nodes.push({ id: 'fo_page', type: 'ui-page', name: 'Health', ui: 'fo_ui', path: '/health', icon: 'heart-pulse',
    layout: 'grid', theme: 'fo_theme',
    breakpoints: [{ name: 'Default', px: 0, cols: 3 }, { name: 'Tablet', px: 576, cols: 6 },
        { name: 'Small Desktop', px: 768, cols: 9 }, { name: 'Desktop', px: 1024, cols: 12 }],
    order: 1, className: '', visible: 'true', disabled: 'false' });
nodes.push({ id: group('pairs'), type: 'ui-group', name: 'Pairs', page: 'fo_page', width: 12, height: 1,
    order: 1, showTitle: false, className: '', visible: 'true', disabled: 'false', groupType: 'default' });
nodes.push({ id: group('log'), type: 'ui-group', name: 'Switch log', page: 'fo_page', width: 12, height: 1,
    order: 2, showTitle: true, className: '', visible: 'true', disabled: 'false', groupType: 'default' });

nodes.push({ id: broker, type: 'mqtt-broker', name: 'Facility broker', broker: '${MQTT_HOST}', port: '${MQTT_PORT}',
    clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '15', cleansession: true,
    autoUnsubscribe: true, birthTopic: '', birthQos: '0', birthRetain: 'false', birthPayload: '', birthMsg: {},
    closeTopic: '', closeQos: '0', closeRetain: 'false', closePayload: '', closeMsg: {},
    willTopic: '', willQos: '0', willRetain: 'false', willPayload: '', willMsg: {}, userProps: '', sessionExpiry: '' });

// One mqtt-in node, subscribed at start to the topics under FAILOVER_BASE, and a dispatcher.
nodes.push({ id: 'fo_start', type: 'inject', z: tab, name: 'at start', props: [], repeat: '', crontab: '',
    once: true, onceDelay: '0.1', topic: '', ...at(110), wires: [['fo_fn_subscribe']] });
nodes.push({ id: 'fo_fn_subscribe', type: 'function', z: tab, name: 'subscribe', func: src('subscribe.js'), outputs: 1,
    timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(270), wires: [['fo_in']] });
nodes.push({ id: 'fo_in', type: 'mqtt in', z: tab, name: 'failover-node topics', topic: '', qos: '1',
    datatype: 'auto-detect', broker, nl: false, rap: true, rh: 0, inputs: 1, ...at(470), wires: [['fo_fn_dispatch']] });
nodes.push({ id: 'fo_fn_dispatch', type: 'function', z: tab, name: 'dispatch', func: src('dispatch.js'), outputs: 4,
    timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(670),
    wires: [['fo_fn_facility'], ['fo_fn_log'], ['fo_node_text', 'fo_fn_facility'], ['fo_fn_router', 'fo_fn_facility']] });
row();

// Node info, pair and router states and answers -> the facility -> the panel.
nodes.push({ id: 'fo_fn_facility', type: 'function', z: tab, name: 'facility', func: src('facility.js'),
    outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(870), wires: [['fo_panel']] });
nodes.push({ id: 'fo_panel', type: 'ui-template', z: tab, group: group('pairs'), page: '', ui: '',
    name: 'facility panel', order: 1, width: 0, height: 0, head: '',
    format: src('facility-panel.vue'), storeOutMessages: true, passthru: false, resendOnRefresh: true,
    templateScope: 'local', className: '', ...at(1100), wires: [['fo_fn_command']] });
row();

// The panel's buttons and toggles (pairs' and routers') -> commands.
nodes.push({ id: 'fo_fn_command', type: 'function', z: tab, name: 'command', func: src('command.js'), outputs: 1,
    timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(1350), wires: [['fo_out']] });
nodes.push({ id: 'fo_out', type: 'mqtt out', z: tab, name: 'commands (QoS 1, not retained)', topic: '', qos: '1',
    retain: 'false', respTopic: '', contentType: '', userProps: '', correl: '', expiry: '', broker, ...at(1600), wires: [] });
row();

// Switch events -> log table.
nodes.push({ id: 'fo_fn_log', type: 'function', z: tab, name: 'switch log', func: src('switch-log.js'), outputs: 1,
    timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(870), wires: [['fo_table']] });
nodes.push({ id: 'fo_table', type: 'ui-table', z: tab, group: group('log'), name: 'switch log', label: '', order: 3,
    width: 12, height: 0, maxrows: 10, passthru: false, autocols: true, showSearch: false, deselect: true,
    selectionType: 'none', columns: [], mobileBreakpoint: 'sm', mobileBreakpointType: 'defaults', action: 'replace',
    className: '', ...at(1100), wires: [[]] });
row();

// Node and router status lines above the log.
nodes.push({ id: 'fo_node_text', type: 'ui-text', z: tab, group: group('log'), order: 1, width: 6, height: 1,
    name: 'node state', label: 'failover-node', format: '{{msg.payload}}', layout: 'row-left', style: false,
    font: '', fontSize: 16, color: '#263238', wrapText: false, className: '', ...at(1100), wires: [] });
row();
nodes.push({ id: 'fo_fn_router', type: 'function', z: tab, name: 'router line',
    func: [
        '// One line per router: id, state, model and address.',
        'const r = msg.payload;',
        'if (!r || typeof r !== "object") return null;',
        'const lines = flow.get("routers") || {};',
        'lines[r.id || msg.topic] = (r.id || "?") + ": " + (r.state || (r.connected ? "ready" : "disconnected")) +',
        '    (r.friendly_name ? " (" + r.friendly_name + ")" : "") + (r.address ? " at " + r.address : "") +',
        '    (r.reason ? " - " + r.reason : "");',
        'flow.set("routers", lines);',
        'return { payload: Object.keys(lines).sort().map((k) => lines[k]).join("; ") };',
    ].join('\n'),
    outputs: 1, timeout: 0, noerr: 0, initialize: '', finalize: '', libs: [], ...at(870), wires: [['fo_router_text']] });
nodes.push({ id: 'fo_router_text', type: 'ui-text', z: tab, group: group('log'), order: 2, width: 6, height: 1,
    name: 'router state', label: 'Router', format: '{{msg.payload}}', layout: 'row-left', style: false,
    font: '', fontSize: 16, color: '#263238', wrapText: false, className: '', ...at(1100), wires: [] });

fs.writeFileSync(path.join(here, 'flows.json'), JSON.stringify(nodes, null, 4) + '\n');
console.log('wrote ' + path.join(here, 'flows.json') + ' (' + nodes.length + ' nodes)');
