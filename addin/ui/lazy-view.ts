import { lazy, type ComponentType } from 'react';

/**
 * A view that loads when first shown, inside Fluent's provider. The first view (Set Regarding) uses no Fluent
 * component, only Fluent's styles and theme variables, so FluentProvider (with its focus tracking, about 5 KB
 * gzip) loads with the first view that needs it, fetched beside that view: one round trip, not two.
 */
export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(() =>
    Promise.all([load(), import('./FluentScope')]).then(([View, scope]) => ({ default: scope.inFluent(View) })),
  );
}
