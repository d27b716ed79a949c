/**
 * Every name a package exports, from every entry in its `exports` map, is listed in the
 * API section of its README: what users can import is what the docs describe. Read from
 * the sources (values and types alike), following `export ... from` into other modules.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const packagesDir = join(root, 'packages');

/** The names a module exports, following re-exports of other modules. */
function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file)) return names;
  seen.add(file);
  const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const [, list, from] of source.matchAll(
    /^export (?:type )?\{([^}]*)\}(?:\s*from\s*'([^']+)')?/gm,
  )) {
    for (const entry of (list ?? '').split(',')) {
      const name = entry
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.add(name);
    }
    void from;
  }
  for (const [, from] of source.matchAll(/^export \* from '([^']+)'/gm)) {
    const target = resolve(dirname(file), (from ?? '').replace(/\.js$/, '.ts'));
    for (const name of exportedNames(target, seen)) names.add(name);
  }
  for (const [, name] of source.matchAll(
    /^export (?:declare )?(?:abstract )?(?:const|let|function|async function|class|interface|type|enum) ([A-Za-z_$][\w$]*)/gm,
  )) {
    if (name) names.add(name);
  }
  return names;
}

/** The README's API section: from its `## API` heading to the next `## ` heading. */
function apiSection(readme: string): string {
  const start = readme.search(/^## API\b/m);
  if (start < 0) return '';
  const rest = readme.slice(start + 6);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

interface PackageJson {
  readonly name: string;
  readonly private?: boolean;
  readonly exports: Record<string, { readonly 'oncely-source'?: string }>;
}

const packages = readdirSync(packagesDir)
  .map((dir) => ({
    dir,
    manifest: JSON.parse(
      readFileSync(join(packagesDir, dir, 'package.json'), 'utf8'),
    ) as PackageJson,
  }))
  .filter(({ manifest }) => !manifest.private && manifest.exports);

describe.each(packages)('$manifest.name', ({ dir, manifest }) => {
  const readme = readFileSync(join(packagesDir, dir, 'README.md'), 'utf8');
  const documented = new Set(
    [...apiSection(readme).matchAll(/`([A-Za-z_$][\w$]*)/g)].map(([, name]) => name),
  );

  it('has an API section', () => {
    expect(documented.size).toBeGreaterThan(0);
  });

  for (const [entry, target] of Object.entries(manifest.exports)) {
    const source = target['oncely-source'];
    if (!source) continue;
    it(`lists every export of ${entry === '.' ? manifest.name : `${manifest.name}${entry.slice(1)}`} in its README's API section`, () => {
      const exported = [...exportedNames(join(packagesDir, dir, source))].sort();
      expect(exported.length).toBeGreaterThan(0);
      expect(exported.filter((name) => !documented.has(name))).toEqual([]);
    });
  }
});
