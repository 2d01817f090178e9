import { createContext } from 'react';
import type { Theme } from '@fluentui/react-components';
import { lightTheme } from './light-theme';

/** The pane's Fluent theme, for the views that load on demand (see lazy-view.ts); light outside the pane's root. */
export const ThemeContext = createContext<Theme>(lightTheme);

/** A theme as CSS custom properties (what FluentProvider writes), for the first view's root element. */
export function themeVariables(theme: Theme): Record<string, string | number> {
  return Object.fromEntries(Object.entries(theme).map(([name, value]) => [`--${name}`, value]));
}
