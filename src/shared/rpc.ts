// A small typed RPC over any postMessage-like channel (host↔webview, host↔worker).
// Every request is answered: with the handler's result, with an error when the handler
// throws or no handler exists, or locally with a timeout. Settled requests leave the
// pending map at once, so a long session does not accumulate closures.

/** A request type: its method name, what it carries, and what its answer carries. */
export interface RequestShape {
  method: string;
  params: unknown;
  result: unknown;
}
/** A notification type: fire and forget. */
export interface NotificationShape {
  method: string;
  params: unknown;
}

export type ParamsOf<U extends { method: string; params: unknown }, M extends U['method']> = Extract<U, { method: M }>['params'];
export type ResultOf<U extends RequestShape, M extends U['method']> = Extract<U, { method: M }>['result'];

/** What travels on the wire. Only this module builds or reads these envelopes. */
export type RpcWire =
  | { rpc: 'request'; id: number; method: string; params: unknown }
  | { rpc: 'result'; id: number; result: unknown }
  | { rpc: 'error'; id: number; message: string; code?: string; data?: unknown }
  | { rpc: 'notification'; method: string; params: unknown };

export class RpcTimeoutError extends Error {
  constructor(method: string, ms: number) {
    super(`no answer to '${method}' within ${ms} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/**
 * An error answered by the other side; `message` is what its handler threw. `code` and `data`
 * are what a RequestFailure carried: the requester decides what happened from them, never from
 * the message.
 */
export class RpcRemoteError extends Error {
  constructor(
    method: string,
    message: string,
    readonly code?: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = `RpcRemoteError(${method})`;
  }
}

/**
 * Thrown by a request handler for an ordinary failure that the requester expects and reports
 * itself (a checkpoint that cannot be scored). It is answered as an error reply like any other
 * throw, with its `code` and `data` (structured-clone or JSON values), but not also passed to
 * `onError`, so each failure is told once, by the side that asked.
 */
export class RequestFailure extends Error {
  override name = 'RequestFailure';
  constructor(
    message: string,
    readonly code?: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export function isRpcWire(value: unknown): value is RpcWire {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  switch (v.rpc) {
    case 'request':
      return Number.isInteger(v.id) && typeof v.method === 'string';
    case 'result':
      return Number.isInteger(v.id);
    case 'error':
      return Number.isInteger(v.id) && typeof v.message === 'string';
    case 'notification':
      return typeof v.method === 'string';
    default:
      return false;
  }
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Handler = (params: unknown) => unknown;

export interface RpcOptions {
  /** Milliseconds before an unanswered request rejects; 0 waits forever. */
  timeoutMs?: number;
  /** Told about notifications nobody listens to and handlers that threw, other than a RequestFailure (for the log). */
  onError?: (message: string) => void;
}

/**
 * One side of a channel. `OutReq`/`OutNote` are what this side sends, `InReq`/`InNote`
 * what it receives, so a wrong method name or payload is a type error on both sides.
 */
export class RpcEndpoint<
  OutReq extends RequestShape,
  InReq extends RequestShape,
  OutNote extends NotificationShape,
  InNote extends NotificationShape,
> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly requestHandlers = new Map<string, Handler>();
  private readonly notificationHandlers = new Map<string, Set<Handler>>();
  private closed = false;

  constructor(
    private readonly send: (wire: RpcWire) => void,
    private readonly options: RpcOptions = {},
  ) {}

  /** Number of requests still awaiting an answer (tests check that it returns to 0). */
  get pendingCount(): number {
    return this.pending.size;
  }

  request<M extends OutReq['method']>(
    method: M,
    params: ParamsOf<OutReq, M>,
    timeoutMs = this.options.timeoutMs ?? 30_000,
  ): Promise<ResultOf<OutReq, M>> {
    if (this.closed) return Promise.reject(new Error(`channel closed; '${method}' not sent`));
    const id = this.nextId++;
    return new Promise<ResultOf<OutReq, M>>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => this.settle(id, new RpcTimeoutError(method, timeoutMs)), timeoutMs) : undefined;
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.send({ rpc: 'request', id, method, params });
      } catch (err) {
        this.settle(id, err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  notify<M extends OutNote['method']>(method: M, params: ParamsOf<OutNote, M>): void {
    if (!this.closed) this.send({ rpc: 'notification', method, params });
  }

  onRequest<M extends InReq['method']>(
    method: M,
    handler: (params: ParamsOf<InReq, M>) => ResultOf<InReq, M> | Promise<ResultOf<InReq, M>>,
  ): () => void {
    this.requestHandlers.set(method, handler as Handler);
    return () => {
      if (this.requestHandlers.get(method) === handler) this.requestHandlers.delete(method);
    };
  }

  onNotification<M extends InNote['method']>(method: M, handler: (params: ParamsOf<InNote, M>) => void): () => void {
    let set = this.notificationHandlers.get(method);
    if (!set) this.notificationHandlers.set(method, (set = new Set()));
    set.add(handler as Handler);
    return () => set.delete(handler as Handler);
  }

  /** Feed every incoming message here; returns false for messages that are not RPC envelopes. */
  receive(message: unknown): boolean {
    if (!isRpcWire(message)) return false;
    switch (message.rpc) {
      case 'request':
        void this.answer(message.id, message.method, message.params);
        break;
      case 'result':
        this.settle(message.id, undefined, message.result);
        break;
      case 'error': {
        const p = this.pending.get(message.id);
        this.settle(message.id, new RpcRemoteError(p?.method ?? '?', message.message, message.code, message.data));
        break;
      }
      case 'notification': {
        const set = this.notificationHandlers.get(message.method);
        if (!set || set.size === 0) this.options.onError?.(`no listener for notification '${message.method}'`);
        for (const h of set ?? []) {
          try {
            h(message.params);
          } catch (err) {
            this.options.onError?.(`notification '${message.method}' handler threw: ${errorText(err)}`);
          }
        }
        break;
      }
    }
    return true;
  }

  /** Rejects everything pending; later requests reject at once. */
  dispose(reason = 'channel closed'): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, new Error(reason));
    this.requestHandlers.clear();
    this.notificationHandlers.clear();
  }

  private async answer(id: number, method: string, params: unknown): Promise<void> {
    const handler = this.requestHandlers.get(method);
    let wire: RpcWire;
    if (!handler) {
      wire = { rpc: 'error', id, message: `no handler for '${method}'` };
    } else {
      try {
        wire = { rpc: 'result', id, result: await handler(params) };
      } catch (err) {
        if (err instanceof RequestFailure) {
          wire = { rpc: 'error', id, message: err.message };
          if (err.code !== undefined) wire.code = err.code;
          if (err.data !== undefined) wire.data = err.data;
        } else {
          this.options.onError?.(`request '${method}' handler threw: ${errorText(err)}`);
          wire = { rpc: 'error', id, message: errorText(err) };
        }
      }
    }
    if (this.closed) return;
    try {
      this.send(wire);
    } catch (err) {
      this.options.onError?.(`could not answer '${method}': ${errorText(err)}`);
    }
  }

  private settle(id: number, error: Error | undefined, result?: unknown): void {
    const p = this.pending.get(id);
    if (!p) return; // late answer after a timeout: nothing waits for it any more
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(result);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
