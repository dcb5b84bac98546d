// Bidirectional control characters in text from data files, made visible.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/**
 * Shows bidirectional control characters as visible code points, so text from data files
 * cannot reorder what the user reads (the "Trojan Source" trick).
 */
export function escapeBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
