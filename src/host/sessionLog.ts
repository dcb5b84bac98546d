// The component-tagged log the session and its scoring loop write to; the host's Log implements it.
export interface SessionLog {
  info(component: string, message: string): void;
  warn(component: string, message: string): void;
  error(component: string, message: string): void;
}
