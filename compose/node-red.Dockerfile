# Node-RED for the Docker Compose lab, with the dashboard nodes the failover health panel
# (compose/node-red/flows.json) uses. Keep DASHBOARD_VERSION in step with
# compose/node-red/package.json; tests/compose/check_compose.sh compares the two.
ARG NODE_RED_VERSION=4.1
FROM nodered/node-red:${NODE_RED_VERSION}
ARG DASHBOARD_VERSION=1.31.0
# Installed next to Node-RED itself (/usr/src/node-red), where it finds nodes at start, so the
# /data volume holds only what Node-RED writes at run time.
RUN npm install --no-fund --no-update-notifier --no-audit --omit=dev \
      "@flowfuse/node-red-dashboard@${DASHBOARD_VERSION}"
