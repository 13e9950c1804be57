import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface VisibilityControllerOptions {
  /** The element that must be on screen; defaults to the host. Re-read after every host update. */
  target?: () => Element | null | undefined;
  /** Share of the target that must be on screen (IntersectionObserver threshold). Default 0: any part. */
  threshold?: number;
  /** Visibility changed (both directions). */
  onChange?(visible: boolean): void;
}

/**
 * "Is the user looking at this?": the page is visible (not a background tab or minimised) and
 * the target intersects the viewport. Used for mark-as-read. The document listener and the
 * IntersectionObserver open in `hostConnected` and close in `hostDisconnected`.
 */
export class VisibilityController implements ReactiveController {
  readonly #host: ReactiveControllerHost & Element;
  readonly #options: VisibilityControllerOptions;
  #observer: IntersectionObserver | undefined;
  #observed: Element | undefined;
  #intersecting = false;
  #pageVisible = false;
  #visible = false;

  constructor(host: ReactiveControllerHost & Element, options: VisibilityControllerOptions = {}) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The page is visible and the target is on screen. */
  get visible(): boolean {
    return this.#visible;
  }

  /** The page itself is visible (tab in front, window not minimised). */
  get pageVisible(): boolean {
    return this.#pageVisible;
  }

  hostConnected(): void {
    this.#pageVisible = document.visibilityState === 'visible';
    document.addEventListener('visibilitychange', this.#onVisibilityChange);
    this.#observer = new IntersectionObserver(this.#onIntersection, { threshold: this.#options.threshold ?? 0 });
    this.#observe();
  }

  hostUpdated(): void {
    this.#observe();
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.#onVisibilityChange);
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#observed = undefined;
    this.#intersecting = false;
    this.#update();
  }

  #observe() {
    if (!this.#observer) return;
    const target = this.#options.target?.() ?? this.#host;
    if (target === this.#observed) return;
    if (this.#observed) this.#observer.unobserve(this.#observed);
    this.#observed = target;
    this.#intersecting = false;
    this.#observer.observe(target);
  }

  readonly #onVisibilityChange = () => {
    this.#pageVisible = document.visibilityState === 'visible';
    this.#update();
  };

  readonly #onIntersection = (entries: IntersectionObserverEntry[]) => {
    for (const entry of entries) {
      if (entry.target === this.#observed) this.#intersecting = entry.isIntersecting;
    }
    this.#update();
  };

  #update() {
    const visible = this.#pageVisible && this.#intersecting;
    if (visible === this.#visible) return;
    this.#visible = visible;
    this.#options.onChange?.(visible);
    this.#host.requestUpdate();
  }
}
