// The kiosk window: fullscreen, kiosk mode, no menu, and the renderer locked down (context
// isolation, sandbox, no Node) so a hostile creative could never reach the kiosk's keys.

export function kioskWindowOptions(
  preloadPath: string,
  options: { kiosk?: boolean } = {},
): Record<string, unknown> {
  const kiosk = options.kiosk ?? true;
  return {
    fullscreen: kiosk,
    kiosk,
    frame: !kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#5e000e',
    show: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
    },
  };
}
