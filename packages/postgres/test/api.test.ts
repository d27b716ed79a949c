import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

/** The names `src/index.ts` exports, values and types alike. */
async function exported(): Promise<string[]> {
  const index = await readFile(new URL('../src/index.ts', import.meta.url), 'utf8');
  const names: string[] = [];
  for (const [, list] of index.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const entry of (list ?? '').split(',')) {
      const name = entry.trim().replace(/^type\s+/, '');
      if (name) names.push(name);
    }
  }
  return names.sort();
}

it('the README’s API table lists every export, and nothing that is not exported', async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## API'));
  // The first column of each row: the backticked names, without call signatures.
  const listed = [...table.matchAll(/^\| ([^|]+)\|/gm)]
    .flatMap(([, cell]) =>
      [...(cell ?? '').matchAll(/`([A-Za-z_]+)[^`]*`/g)].map(([, name]) => name as string),
    )
    .filter((name) => name !== 'export')
    .sort();
  expect(listed).toEqual(await exported());
});
