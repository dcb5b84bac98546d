// Our own small controls. Today they are @vscode/webview-ui-toolkit elements (themed like VS
// Code); the toolkit is no longer maintained upstream, so nothing else in the webview touches
// it and swapping it out means changing this file only.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption } from '@vscode/webview-ui-toolkit';

let registered = false;
function register(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption());
}

export function button(label: string, testId: string, onClick: () => void, secondary = false): HTMLElement {
  register();
  const b = document.createElement('vscode-button');
  b.textContent = label;
  b.dataset.testid = testId;
  if (secondary) b.setAttribute('appearance', 'secondary');
  b.addEventListener('click', onClick);
  return b;
}

export function checkbox(label: string, testId: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  register();
  const c = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  c.textContent = label;
  c.dataset.testid = testId;
  c.checked = checked;
  if (checked) c.setAttribute('checked', '');
  c.addEventListener('change', () => onChange(c.checked));
  return c;
}

export function dropdown<T extends string>(
  testId: string,
  options: { value: T; label: string }[],
  value: T,
  onChange: (value: T) => void,
): HTMLElement {
  register();
  const d = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  d.dataset.testid = testId;
  for (const o of options) {
    const opt = document.createElement('vscode-option');
    opt.setAttribute('value', o.value);
    opt.textContent = o.label;
    if (o.value === value) opt.setAttribute('selected', '');
    d.append(opt);
  }
  d.addEventListener('change', () => onChange(d.value as T));
  return d;
}
