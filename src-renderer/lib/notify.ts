// Desktop notifications for long jobs. Permission is asked only when the user starts one (a
// browser refuses to ask without a gesture), and a notification shows only when granted.

export function askNotificationPermission(): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  void Notification.requestPermission().catch(() => undefined);
}

export function notify(title: string, body: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body });
  } catch {
    // Some platforms only allow notifications from a service worker; the status bar says it too.
  }
}
