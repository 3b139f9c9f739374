// Small pieces of UI context kept across reloads in localStorage (the same in the browser face
// and in Electron's window). Unreadable or missing values read as the fallback.

export function recall<T>(key: string, fallback: T): T {
  try {
    const text = window.localStorage.getItem(`yoke.${key}`);
    return text === null ? fallback : (JSON.parse(text) as T);
  } catch {
    return fallback;
  }
}

export function remember(key: string, value: unknown): void {
  try {
    if (value === null || value === undefined) window.localStorage.removeItem(`yoke.${key}`);
    else window.localStorage.setItem(`yoke.${key}`, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the app still works, it just forgets on reload.
  }
}
