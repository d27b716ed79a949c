import { describe, expect, it } from 'vitest';
import { parseBenchArgs, UsageError } from '../src/framework/cli.js';

const known = ['engine', 'dynamodb', 'kafka'];

describe('parseBenchArgs', () => {
  it('runs everything by default', () => {
    expect(parseBenchArgs([], known)).toEqual({ scenarios: undefined, quick: false, help: false });
  });

  it('takes repeated, comma-separated and = forms of --scenario, without duplicates', () => {
    const options = parseBenchArgs(
      ['--scenario', 'kafka', '--scenario=engine,kafka', '--quick'],
      known,
    );
    expect(options).toEqual({ scenarios: ['kafka', 'engine'], quick: true, help: false });
  });

  it('refuses unknown scenarios, unknown flags and a missing name, with the usage', () => {
    expect(() => parseBenchArgs(['--scenario', 'nope'], known)).toThrow(/unknown scenario "nope"/);
    expect(() => parseBenchArgs(['--fast'], known)).toThrow(UsageError);
    expect(() => parseBenchArgs(['--scenario'], known)).toThrow(/Usage: npm run bench/);
  });
});
