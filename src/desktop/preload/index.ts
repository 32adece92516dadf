// Sandboxed preload (built as CommonJS: sandboxed preloads cannot be ES modules). It exposes a
// frozen window.ringside (src/desktop/preload/api.ts): platform, version and a few narrow IPC requests,
// never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import { bridgeApi, exposeBridge } from './api';

exposeBridge(contextBridge, bridgeApi(process.platform, process.argv, ipcRenderer));
