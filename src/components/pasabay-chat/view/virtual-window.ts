/** The slice of rows to render and the space standing in for the rest. */
export interface WindowRange {
  start: number;
  /** Exclusive. */
  end: number;
  paddingTop: number;
  paddingBottom: number;
  total: number;
}

/**
 * Windowed rendering for a list of variable-height rows. Heights are measured after render and kept by
 * row key (so they survive prepends); unmeasured rows count as `estimate`. Offsets are prefix sums
 * rebuilt lazily, O(n) only after a change.
 */
export class VirtualWindow {
  #keys: readonly string[] = [];
  #index = new Map<string, number>();
  #heights = new Map<string, number>();
  #offsets = new Float64Array(1);
  #dirty = true;
  estimate: number;
  overscan: number;

  constructor(estimate = 64, overscan = 800) {
    this.estimate = estimate;
    this.overscan = overscan;
  }

  get length(): number {
    return this.#keys.length;
  }

  get total(): number {
    this.#build();
    return this.#offsets[this.#keys.length]!;
  }

  /** Sets the rows, in order. Known heights are kept for keys that stay. */
  setKeys(keys: readonly string[]): void {
    this.#keys = keys;
    this.#index = new Map(keys.map((key, index) => [key, index]));
    this.#dirty = true;
  }

  /** Records a measured height; true if it differs from what was assumed. */
  setHeight(key: string, height: number): boolean {
    const before = this.#heights.get(key);
    if (before !== undefined && Math.abs(before - height) < 0.5) return false;
    this.#heights.set(key, height);
    if (this.#index.has(key)) this.#dirty = true;
    return true;
  }

  heightOf(key: string): number {
    return this.#heights.get(key) ?? this.estimate;
  }

  indexOf(key: string): number {
    return this.#index.get(key) ?? -1;
  }

  keyAt(index: number): string | undefined {
    return this.#keys[index];
  }

  /** Top of row `index` from the top of the list. */
  offsetOf(index: number): number {
    this.#build();
    return this.#offsets[Math.max(0, Math.min(index, this.#keys.length))]!;
  }

  /** Index of the row covering `offset`. */
  indexAt(offset: number): number {
    this.#build();
    const count = this.#keys.length;
    if (count === 0) return 0;
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#offsets[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** Rows overlapping the viewport plus `overscan` pixels on each side. */
  range(scrollTop: number, viewportHeight: number): WindowRange {
    const total = this.total;
    const count = this.#keys.length;
    if (count === 0) return { start: 0, end: 0, paddingTop: 0, paddingBottom: 0, total };
    const start = this.indexAt(Math.max(0, scrollTop - this.overscan));
    const end = Math.min(count, this.indexAt(scrollTop + viewportHeight + this.overscan) + 1);
    const paddingTop = this.#offsets[start]!;
    return { start, end, paddingTop, paddingBottom: total - this.#offsets[end]!, total };
  }

  #build() {
    if (!this.#dirty) return;
    const count = this.#keys.length;
    if (this.#offsets.length !== count + 1) this.#offsets = new Float64Array(count + 1);
    let sum = 0;
    for (let index = 0; index < count; index++) {
      this.#offsets[index] = sum;
      sum += this.#heights.get(this.#keys[index]!) ?? this.estimate;
    }
    this.#offsets[count] = sum;
    this.#dirty = false;
  }
}
