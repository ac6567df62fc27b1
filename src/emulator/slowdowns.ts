/**
 * A real slowdown of the fleet (a slower GPU, a heavier workflow after a deploy), set through the
 * control API: the route's generation takes `factor` × its modelled time. Not a fault of one
 * answer: every call is slower until cleared.
 */

export class Slowdowns {
  /** `app` or `app path` → factor on the modelled generation time. */
  readonly #factors = new Map<string, number>();

  factor(app: string, path: string): number {
    return this.#factors.get(`${app} ${path}`) ?? this.#factors.get(app) ?? 1;
  }

  /** Sets a slowdown from a control-API body `{ app, path?, factor }`; bad input throws naming the field. */
  set(input: unknown, isApp: (name: string) => boolean): void {
    const { app, path, factor } = (input ?? {}) as { app?: unknown; path?: unknown; factor?: unknown };
    if (typeof app !== 'string' || !isApp(app)) throw new Error(`unknown app ${JSON.stringify(app)}`);
    if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) throw new Error('path must be a route path starting with /');
    if (typeof factor !== 'number' || !(factor >= 1 && factor <= 100)) throw new Error('factor must be a number in [1, 100]');
    this.#factors.set(path === undefined ? app : `${app} ${path}`, factor);
  }

  clear(): void {
    this.#factors.clear();
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries(this.#factors);
  }
}
