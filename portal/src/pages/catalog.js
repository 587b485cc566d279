// catalog.js -- (being written)
import { notFound } from './notfound.js';

export function render(ctx) {
  notFound(ctx.main);
}
