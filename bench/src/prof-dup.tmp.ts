import { createDeduper, MemoryStore } from '@oncely/core';

const N = 50_000;
for (let round = 0; round < 14; round++) {
  const deduper = createDeduper({ store: new MemoryStore(), namespace: 'bench', ttl: '24h' });
  const handler = async (m: { id: string; amount: number }) => m.amount * 2;
  const messages = Array.from({ length: N }, (_, i) => ({ id: `r${round}-m${i}`, amount: i }));
  for (const m of messages) await deduper.run(m.id, () => handler(m));
  const t0 = performance.now();
  for (const m of messages) await deduper.run(m.id, () => handler(m));
  const t1 = performance.now();
  if (round >= 10) console.log((((t1 - t0) * 1000) / N).toFixed(2), 'us/dup');
}
