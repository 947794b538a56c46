import { formatMebibytes, parseMemorySize } from '../../src/common/memory-size';
import { sessionMemory, withDuckdb } from '../../src/transform/duckdb-session';
import { createMemoryBudget, withMemoryGrant, workerDuckdbBudget, type MemoryGrant } from '../../src/transform/memory-budget';

/** A promise the test settles by hand, so holders end in an order the test picks (no timers). */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('memory budget', () => {
  it('never hands out more than the budget at once, and every holder gets its turn', async () => {
    const budget = createMemoryBudget();
    const asks = [300, 500, 200, 400, 100, 500, 300, 250, 450, 150];
    const holds = asks.map(() => deferred());
    let outstanding = 0;
    let most = 0;
    const entered: number[] = [];
    const runs = asks.map((bytes, index) =>
      withMemoryGrant(budget, { budgetBytes: 1000, bytes }, async (grant) => {
        outstanding += grant.bytes;
        most = Math.max(most, outstanding);
        entered.push(index);
        await holds[index]?.promise;
        outstanding -= grant.bytes;
      }),
    );
    // Release holders in a scrambled order, one at a time, checking the sum each step.
    for (const index of [3, 0, 1, 2, 5, 4, 7, 6, 9, 8]) {
      await settle();
      expect(outstanding).toBeLessThanOrEqual(1000);
      expect(budget.held()).toBe(outstanding);
      holds[index]?.resolve();
    }
    await Promise.all(runs);
    expect(most).toBeLessThanOrEqual(1000);
    expect([...entered].sort((a, b) => a - b)).toEqual(asks.map((_, index) => index));
    expect(budget.held()).toBe(0);
    expect(budget.waiting()).toBe(0);
  });

  it('serves asks first come first served: a small ask does not overtake a waiting large one', async () => {
    const budget = createMemoryBudget();
    const first = await budget.acquire({ budgetBytes: 1000, bytes: 600 });
    const order: string[] = [];
    const large = budget.acquire({ budgetBytes: 1000, bytes: 700 }).then((grant) => (order.push('large'), grant));
    const small = budget.acquire({ budgetBytes: 1000, bytes: 100 }).then((grant) => (order.push('small'), grant));
    await settle();
    expect(order).toEqual([]);
    expect(budget.waiting()).toBe(2);
    first.release();
    const [largeGrant, smallGrant] = await Promise.all([large, small]);
    expect(order).toEqual(['large', 'small']);
    expect(budget.held()).toBe(800);
    largeGrant.release();
    smallGrant.release();
    expect(budget.held()).toBe(0);
  });

  it('lets one ask larger than the budget run, alone', async () => {
    const budget = createMemoryBudget();
    const big = await budget.acquire({ budgetBytes: 100, bytes: 150 });
    let next: MemoryGrant | undefined;
    void budget.acquire({ budgetBytes: 100, bytes: 10 }).then((grant) => (next = grant));
    await settle();
    expect(next).toBeUndefined();
    big.release();
    big.release(); // a second release gives nothing back twice
    await settle();
    expect(next?.bytes).toBe(10);
    expect(budget.held()).toBe(10);
  });

  it('gives the grant back when the holder fails', async () => {
    const budget = createMemoryBudget();
    await expect(withMemoryGrant(budget, { budgetBytes: 100, bytes: 100 }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(budget.held()).toBe(0);
    await expect(withMemoryGrant(budget, { budgetBytes: 100, bytes: 100 }, (grant) => Promise.resolve(grant.bytes))).resolves.toBe(100);
    expect(budget.held()).toBe(0);
  });

  it('drops a waiter whose activity is cancelled, and lets those behind it through', async () => {
    const budget = createMemoryBudget();
    const holder = await budget.acquire({ budgetBytes: 1000, bytes: 600 });
    const cancel = new AbortController();
    const cancelled = withMemoryGrant(budget, { budgetBytes: 1000, bytes: 900, signal: cancel.signal }, () => Promise.resolve('ran'));
    let behind: MemoryGrant | undefined;
    void budget.acquire({ budgetBytes: 1000, bytes: 300 }).then((grant) => (behind = grant));
    await settle();
    expect(behind).toBeUndefined();
    cancel.abort(new Error('activity cancelled'));
    await expect(cancelled).rejects.toThrow('activity cancelled');
    await settle();
    expect(behind?.bytes).toBe(300);
    expect(budget.held()).toBe(900);
    expect(budget.waiting()).toBe(0);
    holder.release();
    behind?.release();
    await expect(withMemoryGrant(budget, { budgetBytes: 1000, bytes: 1000, signal: cancel.signal }, () => Promise.resolve())).rejects.toThrow('activity cancelled');
    expect(budget.held()).toBe(0);
  });

  it('runs a nested holder under the outer grant instead of waiting for itself', async () => {
    const budget = createMemoryBudget();
    const inner = await withMemoryGrant(budget, { budgetBytes: 100, bytes: 100 }, () => withMemoryGrant(budget, { budgetBytes: 100, bytes: 100 }, (grant) => Promise.resolve(grant.bytes)));
    expect(inner).toBe(100);
    expect(budget.held()).toBe(0);
  });

  it('splits a pipeline budget into session shares, in DuckDB units', () => {
    expect(parseMemorySize('512MB')).toBe(512_000_000);
    expect(parseMemorySize('1.5GiB')).toBe(1.5 * 2 ** 30);
    expect(parseMemorySize('lots')).toBeNaN();
    expect(sessionMemory({ threads: 2, memoryLimit: '1GB', sessions: 4 })).toEqual({ budgetBytes: 1e9, bytes: 250_000_000 });
    expect(sessionMemory({ threads: 2, memoryLimit: '512MiB' })).toEqual({ budgetBytes: 2 ** 29, bytes: 2 ** 28 });
    expect(formatMebibytes(2 ** 28)).toBe('256MiB');
  });
});

describe('DuckDB sessions under the worker budget', () => {
  it('limits each session to its share and makes a session past the budget wait for one to close', async () => {
    const limits = { threads: 1, memoryLimit: '256MiB', sessions: 2 };
    const holds = [deferred(), deferred()];
    const seen: string[] = [];
    const open = holds.map((hold, index) =>
      withDuckdb({ duckdb: limits, spool: null, context: { step: 'test' } }, async (connection) => {
        const result = await connection.runAndReadAll("SELECT current_setting('memory_limit')");
        seen.push(`session ${index}: ${String(result.getRows()[0]?.[0])}`);
        await hold.promise;
      }),
    );
    let thirdRan = false;
    const third = withDuckdb({ duckdb: limits, spool: null, context: { step: 'test' } }, () => Promise.resolve((thirdRan = true)));
    while (seen.length < 2) await settle();
    expect(seen.sort()).toEqual(['session 0: 128.0 MiB', 'session 1: 128.0 MiB']);
    expect(workerDuckdbBudget.held()).toBe(2 ** 28);
    expect(thirdRan).toBe(false);
    holds[1]?.reject(new Error('a failing session'));
    await expect(open[1]).rejects.toThrow();
    await third;
    expect(thirdRan).toBe(true);
    holds[0]?.resolve();
    await open[0];
    expect(workerDuckdbBudget.held()).toBe(0);
  });
});
