import type { Theme } from '@fluentui/react-components';
import { lightTheme } from './light-theme';
import { prefersDarkTheme } from '../office/mailbox';

export interface PaneTheme {
  fluent: Theme;
  /** Also tells the browser, so native controls (date pickers, drop-down arrows) match. */
  colorScheme: 'light' | 'dark';
}

// Fluent's webLightTheme, as its values (see light-theme.ts).
const LIGHT: PaneTheme = { fluent: lightTheme, colorScheme: 'light' };

/**
 * Outlook's theme for the pane. The dark one, a large table of colors, is fetched only when Outlook is
 * dark; if that fails (the service just went away), the pane still opens, in the light theme.
 */
export async function officeTheme(): Promise<PaneTheme> {
  if (!prefersDarkTheme()) return LIGHT;
  return import('./dark-theme').then(
    ({ webDarkTheme }): PaneTheme => ({ fluent: webDarkTheme, colorScheme: 'dark' }),
    () => LIGHT,
  );
}
