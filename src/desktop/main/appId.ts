/**
 * The application id: electron-builder's appId (build/electron-builder.json), the Windows
 * AppUserModelID that notifications are shown under, the macOS bundle id. One value everywhere.
 */
export const APP_ID = 'app.ringside.desktop';
export const PRODUCT_NAME = 'Ringside';
