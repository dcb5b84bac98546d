// The reason a checkpoint failed, worded to follow its name once. Messages from the layers
// below start with the model's absolute path (the ONNX reader, the vocabulary check) and
// Node's fs errors end with it (", open '/abs/…/model.onnx'"); whoever prints the reason has
// already named the checkpoint, so both are dropped. Other files a message names (external
// weights, the eval file, the store) stay: they say where the problem is.

export interface CheckpointNames {
  /** Run-relative path (what the user sees). */
  path: string;
  /** Absolute path of the .onnx file. */
  modelPath: string;
}

export function checkpointReason(message: string, names: CheckpointNames): string {
  let m = message;
  for (let again = true; again;) {
    again = false;
    for (const p of [names.modelPath, names.path]) {
      if (p && m.startsWith(`${p}: `)) {
        m = m.slice(p.length + 2);
        again = true;
      }
    }
  }
  // Node appends ", <syscall> '<path>'" to fs errors (ENOENT, EACCES, ELOOP, …): dropped when
  // that path is the model's or the message has named it already.
  return m.replace(/, [a-z]+ '([^']+)'/g, (whole: string, file: string, at: number) =>
    file === names.modelPath || m.slice(0, at).includes(file) ? '' : whole);
}

/** `<path>: <reason>`, the one form a failure takes on stderr, in logs and in outcomes. */
export function checkpointFailure(message: string, names: CheckpointNames): string {
  return `${names.path}: ${checkpointReason(message, names)}`;
}
