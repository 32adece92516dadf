// Sandboxed preload (built as CommonJS: sandboxed preloads cannot be ES modules). It exposes a
// frozen window.ringside = { platform, version } and nothing else.
import { contextBridge } from 'electron';
import { bridgeApi, exposeBridge } from './api';

exposeBridge(contextBridge, bridgeApi(process.platform, process.argv));
