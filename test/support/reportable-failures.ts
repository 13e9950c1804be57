/**
 * Loaded by web-test-runner's page before the test framework (see
 * web-test-runner.config.mjs). The runner sends each file's results to Node through
 * `structuredClone`, which throws on a DOM node or a function: an assertion such as
 * `expect(element).to.equal(null)` that fails would lose the whole file's results, and the run
 * would wait out its 10-minute timeout instead of saying which test failed and why.
 * So a failure's `actual` and `expected` that cannot be cloned are sent as text.
 */
interface MochaRunner {
  fail(test: unknown, error: unknown, force?: boolean): void;
}
interface MochaGlobal {
  Runner: { prototype: MochaRunner };
}

// This runs before the framework's script, which defines `Mocha` as it loads: the runner is
// changed then, before any test can fail.
let defined: MochaGlobal | undefined;
Object.defineProperty(globalThis, 'Mocha', {
  configurable: true,
  get: () => defined,
  set(value: MochaGlobal) {
    defined = value;
    const fail = value.Runner.prototype.fail;
    value.Runner.prototype.fail = function (this: MochaRunner, test: unknown, error: unknown, force?: boolean) {
      if (error && typeof error === 'object') {
        const record = error as Record<string, unknown>;
        for (const key of ['actual', 'expected']) if (key in record) record[key] = reportable(record[key]);
      }
      return fail.call(this, test, error, force);
    };
  },
});

function reportable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    if (value instanceof Node) return new XMLSerializer().serializeToString(value).slice(0, 2000);
    try {
      return JSON.stringify(value)?.slice(0, 2000) ?? String(value);
    } catch {
      return String(value);
    }
  }
}
export {};
