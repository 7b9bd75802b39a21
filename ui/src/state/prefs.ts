// User opt-ins for alert sound and browser notifications, kept in
// localStorage (nothing secret). Defaults: toast only.
export interface AlertPrefs {
  sound: boolean;
  notify: boolean;
}

const kKey = 'fno.alertPrefs';

export function loadPrefs(): AlertPrefs {
  try {
    const v = JSON.parse(localStorage.getItem(kKey) ?? '{}') as Partial<AlertPrefs>;
    return { sound: v.sound === true, notify: v.notify === true };
  } catch {
    return { sound: false, notify: false };
  }
}

export function savePrefs(p: AlertPrefs): void {
  localStorage.setItem(kKey, JSON.stringify(p));
}
