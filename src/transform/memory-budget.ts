import { AsyncLocalStorage } from 'node:async_hooks';

/** Bytes handed to one holder until it calls `release` (idempotent). */
export interface MemoryGrant {
  bytes: number;
  release(): void;
}

/** What one caller asks for: `bytes` of a budget of `budgetBytes` (the caller's pipeline's), given up if `signal` aborts while it waits. */
export interface GrantRequest {
  budgetBytes: number;
  bytes: number;
  signal?: AbortSignal;
}

/** A budget whose grants can be awaited; `held` and `waiting` say what it holds and how many wait now. */
export interface MemoryBudget {
  acquire(request: GrantRequest): Promise<MemoryGrant>;
  held(): number;
  waiting(): number;
}

interface Waiter extends GrantRequest {
  resolve(grant: MemoryGrant): void;
}

/**
 * A byte semaphore: a grant is handed out only while everything granted plus it fits the asker's budget (or
 * nothing is held at all, so one oversized ask still runs alone), first come first served so a big ask is
 * not starved by small ones. A waiter whose signal aborts leaves the queue and rejects with the signal's reason.
 */
export function createMemoryBudget(): MemoryBudget {
  let held = 0;
  const queue: Waiter[] = [];
  const fits = (request: GrantRequest) => held === 0 || held + request.bytes <= request.budgetBytes;
  const grant = (bytes: number): MemoryGrant => {
    held += bytes;
    let released = false;
    return {
      bytes,
      release() {
        if (released) return;
        released = true;
        held -= bytes;
        drain();
      },
    };
  };
  const drain = () => {
    for (let next = queue[0]; next && fits(next); next = queue[0]) {
      queue.shift();
      next.resolve(grant(next.bytes));
    }
  };
  const acquire = (request: GrantRequest): Promise<MemoryGrant> => {
    if (request.signal?.aborted) return Promise.reject(request.signal.reason as Error);
    if (queue.length === 0 && fits(request)) return Promise.resolve(grant(request.bytes));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = queue.indexOf(waiter);
        if (index < 0) return;
        queue.splice(index, 1);
        reject(request.signal?.reason as Error);
        // A large ask at the head may have held back smaller ones that fit now.
        drain();
      };
      const waiter: Waiter = {
        ...request,
        resolve: (granted) => {
          request.signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        },
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  };
  return { acquire, held: () => held, waiting: () => queue.length };
}

const holding = new AsyncLocalStorage<MemoryGrant>();

/**
 * Runs `use` holding a grant of `budget`, released however `use` ends (result, error or cancellation). A call
 * nested inside another's `use` runs under the outer grant instead of asking again: waiting there for budget
 * the outer call holds would wait forever. `wait` wraps the wait itself (an activity heartbeats through it).
 */
export async function withMemoryGrant<T>(
  budget: MemoryBudget,
  request: GrantRequest,
  use: (grant: MemoryGrant) => Promise<T>,
  wait: (acquire: () => Promise<MemoryGrant>) => Promise<MemoryGrant> = (acquire) => acquire(),
): Promise<T> {
  const outer = holding.getStore();
  if (outer) return use(outer);
  const grant = await wait(() => budget.acquire(request));
  try {
    return await holding.run(grant, () => use(grant));
  } finally {
    grant.release();
  }
}

/** The DuckDB memory of one worker process, shared by all its sessions (every activity, every pipeline). */
export const workerDuckdbBudget: MemoryBudget = createMemoryBudget();
