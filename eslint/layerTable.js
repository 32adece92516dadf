// Which layer of the tree may import which (the `ringside/layers` rule in eslint/layers.js).
// The reasons are in docs/architecture.md. A layer always may import its own files.

const ADAPTERS = ['memory', 'sqlite', 'postgres', 'redis', 'rabbitmq', 'webhook', 'phone', 'crm'].map((name) => `src/adapters/${name}`);

/** Node modules that do I/O: the domain decides, the adapters talk to the world. */
const NODE_IO = ['fs', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'child_process', 'cluster', 'worker_threads', 'os', 'readline', 'stream'].map((m) => `node:${m}`);
const SERVICE_CLIENTS = ['ioredis', 'amqplib', 'better-sqlite3', 'pg', 'ws'];
const DESKTOP_ONLY = ['electron', 'react', 'react-dom'];

const CORE = ['src/domain', 'src/protocol', 'src/shared'];

export const LAYERS = {
  // Helpers every Node layer uses (logger, ids, errors): they know nothing of Ringside's layers.
  'src/shared': { layers: [], packages: { deny: [...SERVICE_CLIENTS, ...DESKTOP_ONLY] } },
  // REST and WebSocket messages, their rules, the reconnect timing: loaded by the server, the
  // Electron shell and the browser alike, so only zod besides itself.
  'src/protocol': { layers: [], packages: { allow: ['zod'] } },
  // Call logic and its ports: plain TypeScript, testable without any service.
  'src/domain': { layers: ['src/protocol', 'src/shared'], packages: { deny: [...NODE_IO, ...SERVICE_CLIENTS, ...DESKTOP_ONLY] } },
  // Each adapter implements the domain's ports with one technology and never reaches into another adapter.
  ...Object.fromEntries(ADAPTERS.map((adapter) => [adapter, { layers: CORE, packages: { deny: DESKTOP_ONLY } }])),
  // The composition root picks adapters and starts the servers and scheduled jobs.
  'src/app': { layers: [...CORE, ...ADAPTERS, 'src/api'], packages: { deny: DESKTOP_ONLY } },
  // The agent REST API and WebSocket: an entry point beside the CLI, outside the domain and the adapters.
  'src/api': { layers: [...CORE, ...ADAPTERS, 'src/app'], packages: { deny: DESKTOP_ONLY } },
  'src/cli': { layers: [...CORE, ...ADAPTERS, 'src/app', 'src/api', 'tools/simulator'], packages: { deny: DESKTOP_ONLY } },
  // The Electron main process starts the core in-process (src/app) and is one of its agent clients.
  'src/desktop/main': { layers: ['src/app', 'src/protocol', 'src/shared'], packages: { deny: ['react', 'react-dom'] } },
  // The sandboxed preload: electron's contextBridge and the protocol, nothing else.
  'src/desktop/preload': { layers: ['src/protocol'], packages: { allow: ['electron'] } },
  // The UI runs in a browser: React and the protocol.
  'src/desktop/renderer': { layers: ['src/protocol'], packages: { allow: ['react', 'react-dom', 'zod'] } },
  // The phone simulator behind `ringside simulate` talks to Ringside over the network only.
  'tools/simulator': { layers: CORE, packages: { deny: DESKTOP_ONLY } },
  'tools/bench': { layers: [...CORE, ...ADAPTERS, 'src/app', 'src/api', 'src/cli', 'tools/simulator', 'tools/chaos'], packages: { deny: ['electron'] } },
  'tools/chaos': { layers: [...CORE, ...ADAPTERS, 'src/app', 'src/api', 'src/cli', 'tools/simulator', 'tools/bench'], packages: { deny: ['electron'] } },
};
