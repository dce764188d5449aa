// One generic, name-keyed registry for everything that is looked up by id: checks, reporters,
// faults, flaws, profiles. Built-ins register exactly like extensions; a second registration of an
// id is an error (an extension silently replacing a built-in would change verdicts unnoticed).
import { DuplicateIdError, UnknownIdError } from './errors.js';
import { closest } from './suggest.js';

export class Registry<T> {
  readonly #items = new Map<string, T>();

  /** `kind` names the registry in messages ("check", "reporter", ...). */
  constructor(
    readonly kind: string,
    private readonly idOf: (item: T) => string,
  ) {}

  register(item: T): T {
    const id = this.idOf(item);
    if (this.#items.has(id)) throw new DuplicateIdError(this.kind, id);
    this.#items.set(id, item);
    return item;
  }

  has(id: string): boolean {
    return this.#items.has(id);
  }

  find(id: string): T | undefined {
    return this.#items.get(id);
  }

  /** The item, or a typed error naming the known ids and the closest one. */
  get(id: string): T {
    const item = this.#items.get(id);
    if (item === undefined) throw new UnknownIdError(this.kind, id, this.ids(), closest(id, this.ids()));
    return item;
  }

  ids(): string[] {
    return [...this.#items.keys()];
  }

  values(): T[] {
    return [...this.#items.values()];
  }
}
